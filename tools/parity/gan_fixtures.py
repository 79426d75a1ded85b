"""Writes the GAN discriminator parity fixtures to Tests/BackboneTests/Fixtures/gan (run outside CI):

    .build/pyenv/bin/python tools/parity/gan_fixtures.py   (or /work/main/.build/pyenv/bin/python)

* full.json: the shipped geometry (size 256, channel multiplier 2, 28,864,129 parameters) with
  SplitMix64 seed weights and seed images (stylegan2_discriminator.seed_weights/seed_images;
  the Swift tests generate the same ones), -D on a batch of 4 and on image 0 alone. The
  115 MB state dict itself is not committed.
* small.pth: a rosinality-style training checkpoint {g, d, g_ema, g_optim, d_optim, args
  (argparse.Namespace)} whose `d` is a reduced discriminator (size 16, channels 4:8, 8:6,
  16:4) built by the same code, with small.json holding -D for several batch sizes.
* small_malicious.pth: the same layout with a payload whose unpickling would call os.system.
"""
import argparse
import json
import os
import pathlib
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import stylegan2_discriminator as sg  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "BackboneTests" / "Fixtures" / "gan"
SMALL = {4: 8, 8: 6, 16: 4}
MARKER = "/tmp/scaleface-gan-malicious-ran"


def values(t):
    return [float(v) for v in t.flatten()]


def training_checkpoint(d, args):
    g = {"style.1.weight": torch.randn(8, 8), "to_rgb1.conv.weight": torch.randn(1, 3, 8, 1, 1)}
    params = [torch.nn.Parameter(v.clone()) for v in d.values()]
    opt = torch.optim.Adam(params, lr=0.002, betas=(0.0, 0.99))
    sum(p.sum() for p in params).backward()
    opt.step()
    return {"g": g, "d": d, "g_ema": {k: v.clone() for k, v in g.items()}, "g_optim": opt.state_dict(),
            "d_optim": opt.state_dict(), "args": args}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(3)
    torch.set_num_threads(2)
    with torch.no_grad():
        sd = sg.seed_weights(7)
        x = sg.preprocess_gan(sg.seed_images(7, 4, 112, 112))
        full = {"seed": 7, "image_seed": 7, "images": 4, "height": 112, "width": 112,
                "batch4": values(sg.discriminator(sd, x)), "single0": values(sg.discriminator(sd, x[:1]))}
    (OUT / "full.json").write_text(json.dumps(full, indent=1) + "\n")

    small = sg.seed_weights(5, 16, SMALL)
    args = argparse.Namespace(size=16, channel_multiplier=2, batch=8, iter=800000, lr=0.002, path="lmdb", r1=10.0,
                              augment=False, ckpt=None, mixing=0.9, wandb=False)
    torch.save(training_checkpoint(small, args), OUT / "small.pth")
    ims = sg.seed_images(11, 8, 12, 12)
    x = sg.preprocess_gan(ims, 16)
    with torch.no_grad():
        cases = {str(b): values(sg.discriminator(small, x[:b], 16)) for b in [8, 4, 3, 2, 1]}
    (OUT / "small.json").write_text(json.dumps({"seed": 5, "image_seed": 11, "height": 12, "width": 12,
                                                "channels": {str(k): v for k, v in SMALL.items()},
                                                "outputs": cases, "malicious_marker": MARKER}, indent=1) + "\n")

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {MARKER}",))
    torch.save(training_checkpoint(small, Payload()), OUT / "small_malicious.pth")


if __name__ == "__main__":
    main()
