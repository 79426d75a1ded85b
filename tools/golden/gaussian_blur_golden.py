#!/usr/bin/env python3
"""Writes Tests/Fixtures/gaussian_blur/golden.json: scipy.ndimage.gaussian_filter on uint8
H x W x 3 images with one scalar sigma and every default (order 0, mode 'reflect', cval 0,
truncate 4.0), the blur of the `blurred_scale` strategy (docs/strategies.md, "blurred_scale").

Cases: odd sizes (7 x 5, 13 x 11, 41 x 39), sigmas 0.5, 1, 1.7, 3 (the shipped
blur_intensity) and 5 (a kernel radius of 20, longer than every axis of the small images, so
the reflection folds several times), random pixels and a flat image with a step (flat regions
show the per-pass truncation to uint8). Run: <python with numpy, scipy> tools/golden/gaussian_blur_golden.py
"""
import json
import os

import numpy as np
import scipy
from scipy.ndimage import gaussian_filter

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "gaussian_blur", "golden.json")


def main():
    rng = np.random.default_rng(20261202)
    images = {
        "random7x5": rng.integers(0, 256, (7, 5, 3), dtype=np.uint8),
        "random13x11": rng.integers(0, 256, (13, 11, 3), dtype=np.uint8),
        "random41x39": rng.integers(0, 256, (41, 39, 3), dtype=np.uint8),
    }
    step = np.full((13, 11, 3), 100, dtype=np.uint8)
    step[:, 6:, :] = 200
    step[4, 2, 1] = 37
    images["step13x11"] = step
    cases = []
    for name, image in images.items():
        for sigma in [0.5, 1.0, 1.7, 3, 5.0]:
            if name == "random41x39" and sigma not in (1.0, 3):
                continue
            out = gaussian_filter(image, sigma=sigma)
            assert out.dtype == np.uint8
            cases.append({"name": name, "sigma": sigma, "shape": list(image.shape),
                          "input": image.flatten().tolist(), "output": out.flatten().tolist()})
    with open(OUT, "w") as f:
        json.dump({"scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
