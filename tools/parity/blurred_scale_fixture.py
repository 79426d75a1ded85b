"""Writes Tests/BackboneTests/Fixtures/blurred/: three 44 x 42 PNG images and expected.json,
the expectation of `scaleface embed --strategies scale,blurred_scale` with the nested_f32.pth
fixture of make_fixtures.py (docs/strategies.md, "blurred_scale"; run outside CI):

    SCALEFACE_PYENV=/work/pyenv bash tools/pyenv.sh torch scipy   # prints the interpreter
    <python> tools/parity/blurred_scale_fixture.py

The reference's `preprocess_blurred` test branch, written from its description: center crop to
40 x 40 (offsets round(0.5 * (44 - 40)) = 2 and 1), scipy.ndimage.gaussian_filter(crop,
sigma) with every default (sigma on all three axes, uint8 output), (x - 127.5) / 128, then the
backbone and the MLPHead [576, 16, 1] with BN on the bottleneck, activation exp (embed's
default). Also the unblurred `scale` and features, which the store must keep.
"""
import json
import os
import pathlib
import sys

import numpy as np
import torch
from scipy.ndimage import gaussian_filter

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import BLOCKS, EMB, SIZE, WIDTHS, write_png  # noqa: E402
from reference_models import IResNet, MLPHead, activate, preprocess  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "BackboneTests" / "Fixtures"
OUT = FIXTURES / "blurred"
H, W, SIGMAS = 44, 42, [3, 1.5]


def images():
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:H, 0:W]
    noise = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    gradient = np.stack([x * 6, y * 5, (x + y) * 3], axis=-1).clip(0, 255).astype(np.uint8)
    disc = np.where(((x - 20) ** 2 + (y - 23) ** 2 < 120)[..., None], [230, 40, 90], [20, 200, 60])
    disc = (disc + rng.integers(0, 20, (H, W, 3))).astype(np.uint8)
    return [noise, gradient, disc]


def forward(net, mlp, crops):
    with torch.no_grad():
        feature, bottleneck = net(preprocess(np.stack(crops)))
        return feature, activate(mlp(bottleneck), "exp", 64.0)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    state = torch.load(FIXTURES / "nested_f32.pth", map_location="cpu")
    net = IResNet(BLOCKS, WIDTHS, SIZE, EMB)
    net.load_state_dict(state["backbone"])
    mlp = MLPHead([WIDTHS[3] * 3 * 3, 16, 1], batch_norm=True)
    mlp.load_state_dict(state["scale_predictor"])
    net.eval(), mlp.eval()
    raw = images()
    for i, im in enumerate(raw):
        write_png(OUT / f"face{i}.png", im)
    top, left = int(round(0.5 * (H - SIZE))), int(round(0.5 * (W - SIZE)))
    crops = [im[top:top + SIZE, left:left + SIZE] for im in raw]
    feature, scale = forward(net, mlp, crops)
    out = {"height": H, "width": W, "feature": [float(v) for v in feature.flatten()],
           "scale": [float(v) for v in scale.flatten()], "blurred_scale": {}}
    for sigma in SIGMAS:
        _, blurred = forward(net, mlp, [gaussian_filter(c, sigma=sigma) for c in crops])
        out["blurred_scale"][str(float(sigma))] = [float(v) for v in blurred.flatten()]
    (OUT / "expected.json").write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: out[k] for k in ("scale", "blurred_scale")}))


if __name__ == "__main__":
    main()
