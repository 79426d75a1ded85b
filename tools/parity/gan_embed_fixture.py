"""Writes Tests/BackboneTests/Fixtures/gan/embed.json, the expectation of the GAN strategy in
`scaleface embed` (docs/strategies.md, GAN; run outside CI):

    SCALEFACE_PYENV=/work/pyenv bash tools/pyenv.sh torch scipy   # prints the interpreter
    <python> tools/parity/gan_embed_fixture.py

Five uncropped 48 x 44 seed images (stylegan2_discriminator.seed_images; the Swift test writes
the same bytes as PNG files and embeds them, center-cropping them for the backbone) through
the shipped 256 / cm 2 discriminator with the seed weights of full.json, in the batches an
embed run with batch size 4 forms: images 0-3, then the final batch of image 4 alone (whose
stddev channel is the constant 1e-4).
The stored uncertainty is -D(x) per image.
"""
import json
import os
import pathlib
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import stylegan2_discriminator as sg  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "BackboneTests" / "Fixtures" / "gan" / "embed.json"
SEED, IMAGE_SEED, N, H, W, BATCH = 7, 13, 5, 48, 44, 4


def main():
    torch.set_num_threads(2)
    sd = sg.seed_weights(SEED)
    x = sg.preprocess_gan(sg.seed_images(IMAGE_SEED, N, H, W))
    with torch.no_grad():
        out = torch.cat([sg.discriminator(sd, x[s:s + BATCH]) for s in range(0, N, BATCH)])
    OUT.write_text(json.dumps({"seed": SEED, "image_seed": IMAGE_SEED, "images": N, "height": H, "width": W,
                               "batch": BATCH, "gan": [float(v) for v in out.flatten()]}, indent=1) + "\n")


if __name__ == "__main__":
    main()
