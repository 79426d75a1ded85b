"""PyTorch peer for bench_gan.sh: the reference's StyleGAN2 discriminator (size 256, channel
multiplier 2) as tools/parity/stylegan2_discriminator.py computes it, on 2 threads.
`make CHECKPOINT` writes a training-checkpoint-like {"d": state dict} with the SplitMix64 seed
weights; `time CHECKPOINT BATCH SECONDS` prints `torch <images/s>` for batches of BATCH
preprocessed 112 x 112 images (the discriminator alone, preprocessing excluded)."""
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "parity"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "embed"))
import stylegan2_discriminator as sg  # noqa: E402
from peers import rate  # noqa: E402  (also sets 2 threads, 1 inter-op thread)

torch.set_num_threads(2)


def main():
    cmd, checkpoint = sys.argv[1], sys.argv[2]
    if cmd == "make":
        torch.save({"d": sg.seed_weights(7)}, checkpoint)
        return
    batch, seconds = int(sys.argv[3]), float(sys.argv[4])
    sd = torch.load(checkpoint, weights_only=True)["d"]
    x = sg.preprocess_gan(np.random.default_rng(0).integers(0, 256, (batch, 112, 112, 3), dtype=np.uint8))
    with torch.no_grad():
        print(f"torch {rate(lambda: sg.discriminator(sd, x), batch, seconds):.3f}")


if __name__ == "__main__":
    main()
