"""Loads heads saved by `scaleface train-head` in PyTorch and compares their outputs (outside CI):

    py=$(tools/pyenv.sh torch numpy)
    SCALEFACE_HEAD_PARITY_DIR=$PWD/.build/head-parity swift test --filter TrainHeadParityTests
    $py tools/parity/check_head_pth.py .build/head-parity

The directory holds `scale.pth` and `pfe.pth` (train-head output), `bottleneck.npy` (the
inputs) and `<kind>_expected.npy` (the trainer's eval-mode outputs: the scale, and
log sigma^2). Each checkpoint is read with `torch.load(weights_only=True)`, its state dicts are
loaded with `strict=True` into the reference modules (tools/parity/reference_models.py, written
from docs/backbone.md), which run in eval mode; the outputs must agree within 1e-5 relative.
Prints one line per head and exits non-zero on any mismatch.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from reference_models import MLPHead, PFEHead, activate  # noqa: E402


def check_dtypes(state, where):
    for k, v in state.items():
        want = torch.int64 if k.endswith("num_batches_tracked") else torch.float32
        if v.dtype != want:
            raise SystemExit(f"{where}: {k} is {v.dtype}, expected {want}")


def scale_head(state):
    widths = [state["mlp.0.weight"].shape[1]]
    linear_keys = sorted((k for k in state if k.endswith(".weight")), key=lambda k: int(k.split(".")[1]))
    widths += [state[k].shape[0] for k in linear_keys]
    m = MLPHead(widths, batch_norm=any(k.endswith("running_mean") for k in state))
    m.load_state_dict(state, strict=True)
    return m


def pfe_head(state):
    cin, hidden, out = state["fc1.weight"].shape[1], state["fc1.weight"].shape[0], state["fc2.weight"].shape[0]
    m = PFEHead(cin, hidden)
    m.fc2 = nn.Linear(hidden, out)
    m.bn2 = nn.BatchNorm1d(out, affine=False)
    m.load_state_dict(state, strict=True)
    return m


def main(directory):
    x = torch.from_numpy(np.load(os.path.join(directory, "bottleneck.npy")).astype(np.float32))
    failures = 0
    for kind, section in [("scale", "scale_predictor"), ("pfe", "head")]:
        path = os.path.join(directory, f"{kind}.pth")
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        state = ckpt[section]
        check_dtypes(state, path)
        model = scale_head(state) if kind == "scale" else pfe_head(state)
        model.eval()
        with torch.no_grad():
            y = model(x)
            if kind == "scale":
                y = activate(y, "exp", 64.0)
        expected = np.load(os.path.join(directory, f"{kind}_expected.npy"))
        got = y.numpy().reshape(expected.shape)
        rel = np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1e-12))
        ok = rel <= 1e-5
        failures += not ok
        extra = f", centers {tuple(ckpt['centers'].shape)}" if "centers" in ckpt else ""
        print(f"{kind}: torch {torch.__version__} loaded {path} (weights_only=True, strict), "
              f"{len(state)} tensors{extra}; max relative difference {rel:.2e} over {got.size} values: "
              f"{'OK' if ok else 'MISMATCH'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".build/head-parity")
