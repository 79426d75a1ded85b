"""Writes the backbone parity fixtures to Tests/BackboneTests/Fixtures (run outside CI):

    tools/pyenv.sh torch numpy   # prints the venv's python
    .build/pyenv/bin/python tools/parity/make_fixtures.py

Networks are reduced-width iResNet-18 topologies (widths 8/16/32/64, 40 x 40 inputs so the
last stage is 3 x 3 and every stride-2 stage sees an odd or even size) with random weights,
BatchNorm statistics and PReLU slopes. Expected outputs are PyTorch's on the same uint8 images.
For float16 checkpoints the expectation is the float32 network whose weights are the float16
values (what a float32 engine loading that file computes).
"""
import io
import json
import os
import pathlib
import sys
import struct
import zipfile
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from reference_models import (ACTIVATIONS, IResNet, MLPHead, PFEHead, PFEHeadAdjustable,  # noqa: E402
                              activate, preprocess, randomise)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "BackboneTests" / "Fixtures"
BLOCKS, WIDTHS, SIZE, EMB = [2, 2, 2, 2], [8, 16, 32, 64], 40, 32
COEFFICIENT = 2.5
MARKER = "/tmp/scaleface-malicious-checkpoint-ran"


def save_f32(name, tensor):
    arr = tensor.detach().float().contiguous().numpy().astype("<f4")
    (OUT / name).write_bytes(arr.tobytes())
    return {"file": name, "shape": list(arr.shape)}


def write_png(path, rgb):
    """8-bit RGB PNG from an [H, W, 3] uint8 array (filter type 0 on every row)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)


def as_half(state):
    return {k: (v.half() if v.is_floating_point() else v) for k, v in state.items()}


def from_half(module, state_half):
    module.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state_half.items()})
    return module.eval()


def calibrate(mlp, net, x):
    """Rescales the last Linear so the raw outputs lie in [-2, 2] with a positive maximum,
    keeping every activation (exp, sigmoid, relu) away from overflow and saturation. The MLP
    is positively homogeneous in its last layer, so this changes nothing structurally."""
    with torch.no_grad():
        raw = mlp(net(x)[1])
        last = mlp.mlp[-1].weight
        if raw.max() <= 0:
            last.mul_(-1)
            raw = -raw
        last.div_(raw.abs().max() / 2)
    return mlp


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(20261122)
    images = torch.randint(0, 256, (3, SIZE, SIZE, 3), generator=g, dtype=torch.uint8).numpy()
    (OUT / "images.u8").write_bytes(images.tobytes())
    (OUT / "png").mkdir(exist_ok=True)
    for i, im in enumerate(images):  # the same images as PNG files, for the embed stage tests
        write_png(OUT / "png" / f"face{i}.png", im)
    x = preprocess(images)
    bottleneck_width = WIDTHS[3] * 3 * 3
    cases = []

    def backbone():
        net = randomise(IResNet(BLOCKS, WIDTHS, SIZE, EMB), g)
        with torch.no_grad():
            net.features.weight.fill_(1.0)  # the reference fixes it to 1
        return net

    # 1. Reference-style nested dict, float32: backbone + PFEHead + MLPHead [F, 16, 1] with BN.
    net, pfe, mlp = backbone(), randomise(PFEHead(bottleneck_width, EMB), g), \
        randomise(MLPHead([bottleneck_width, 16, 1], batch_norm=True), g)
    calibrate(mlp, net, x)
    with torch.no_grad():
        pfe.gamma.fill_(0.7)
        pfe.beta.fill_(-1.5)
    torch.save({"backbone": net.state_dict(), "head": pfe.state_dict(), "scale_predictor": mlp.state_dict(),
                "epoch": 7, "config": "fixture"}, OUT / "nested_f32.pth")
    cases.append(run_case("nested_f32", "nested_f32.pth", net, pfe, mlp, x, "PFEHead"))

    # 2. Reference-style nested dict, float16: PFEHeadAdjustable + MLPHead [F, 24, 12, 1] without BN.
    net, adj, mlp = backbone(), randomise(PFEHeadAdjustable(bottleneck_width, EMB), g), \
        randomise(MLPHead([bottleneck_width, 24, 12, 1], batch_norm=False), g, gain=0.5)
    with torch.no_grad():
        adj.fc1.normal_(0, 1, generator=g)
        adj.fc2.normal_(0, 1, generator=g)
        adj.gamma.fill_(1.3)
        adj.beta.fill_(0.2)
    calibrate(mlp, net, x)
    halves = {"backbone": as_half(net.state_dict()), "head": as_half(adj.state_dict()),
              "scale_predictor": as_half(mlp.state_dict())}
    torch.save(halves, OUT / "nested_f16.pth")
    net = from_half(IResNet(BLOCKS, WIDTHS, SIZE, EMB), halves["backbone"])
    adj = from_half(PFEHeadAdjustable(bottleneck_width, EMB), halves["head"])
    mlp = from_half(MLPHead([bottleneck_width, 24, 12, 1], batch_norm=False), halves["scale_predictor"])
    cases.append(run_case("nested_f16", "nested_f16.pth", net, adj, mlp, x, "PFEHeadAdjustable"))

    # 3. InsightFace-style bare state dict (backbone.pth), float32.
    net = backbone()
    torch.save(net.state_dict(), OUT / "bare_f32.pth")
    cases.append(run_case("bare_f32", "bare_f32.pth", net, None, None, x, None))

    # 4. Bare state dict in float16.
    halves = as_half(backbone().state_dict())
    torch.save(halves, OUT / "bare_f16.pth")
    net = from_half(IResNet(BLOCKS, WIDTHS, SIZE, EMB), halves)
    cases.append(run_case("bare_f16", "bare_f16.pth", net, None, None, x, None))

    # 5. A checkpoint whose unpickling would call os.system (posix.system) if trusted.
    class Payload:
        def __reduce__(self):
            return (os.system, ("touch " + MARKER,))
    torch.save({"backbone": {"conv1.weight": torch.zeros(2)}, "payload": Payload()}, OUT / "malicious.pth")

    # 6. Legacy (pre-1.6, non-zip) serialisation and a zip whose entries are deflated.
    torch.save({"w": torch.zeros(2)}, OUT / "legacy.pth", _use_new_zipfile_serialization=False)
    buf = io.BytesIO()
    torch.save({"w": torch.zeros(2)}, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(OUT / "compressed.pth", "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))

    manifest = {"blocks": BLOCKS, "widths": WIDTHS, "input_size": SIZE, "embedding": EMB,
                "images": {"file": "images.u8", "shape": list(images.shape)}, "preprocess": "mean_scale",
                "coefficient": COEFFICIENT, "malicious_marker": MARKER, "torch": torch.__version__,
                "cases": cases}
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(cases)} cases to {OUT} ({total / 1e6:.2f} MB)")


def run_case(name, checkpoint, net, head, mlp, x, head_kind):
    with torch.no_grad():
        feature, bottleneck = net(x)
        case = {"name": name, "checkpoint": checkpoint,
                "feature": save_f32(f"{name}.feature.f32", feature),
                "bottleneck_feature": save_f32(f"{name}.bottleneck.f32", bottleneck)}
        if head is not None:
            case["head_kind"] = head_kind
            case["log_sigma_sq"] = save_f32(f"{name}.log_sigma_sq.f32", head(bottleneck))
        if mlp is not None:
            raw = mlp(bottleneck)
            case["scale"] = {a: save_f32(f"{name}.scale_{a}.f32", activate(raw, a, COEFFICIENT))
                             for a in ACTIVATIONS}
    return case


if __name__ == "__main__":
    main()
