"""Loads heads saved by `scaleface train-head` in PyTorch and compares their outputs (outside CI):

    py=$(tools/pyenv.sh torch numpy)
    SCALEFACE_HEAD_PARITY_DIR=$PWD/.build/head-parity swift test --filter TrainHeadParityTests
    $py tools/parity/check_head_pth.py .build/head-parity

The directory holds `scale.pth`, `pfe.pth`, `prob.pth` (ProbFace head), `pfe-adjustable.pth`
and `pair-<classifier>.pth` (train-head output), `bottleneck.npy` and `embeddings.npy` (the
inputs) and `<kind>_expected.npy` (the trainer's eval-mode outputs: the scale, log sigma^2,
and for the pair classifiers the logits of the pairs (row i, row N-1-i) of the embeddings as
`PairClassifier` computes them). Each checkpoint is read with `torch.load(weights_only=True)`, its state dicts are
loaded with `strict=True` into the reference modules (tools/parity/reference_models.py, written
from docs/backbone.md), which run in eval mode; the outputs must agree within 1e-5 relative.
Prints one line per head and exits non-zero on any mismatch.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from reference_models import MLPHead, PFEHead, PFEHeadAdjustable, activate  # noqa: E402


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


class ProbHead(nn.Module):
    """ProbFace's head as docs/training.md states it: biased Linears, no input normalisation,
    one output."""

    def __init__(self, cin, hidden):
        super().__init__()
        self.fc1 = nn.Linear(cin, hidden)
        self.bn1 = nn.BatchNorm1d(hidden, affine=True)
        self.fc2 = nn.Linear(hidden, 1)
        self.bn2 = nn.BatchNorm1d(1, affine=False)
        self.gamma = nn.Parameter(torch.tensor([1e-4]))
        self.beta = nn.Parameter(torch.tensor([-7.0]))

    def forward(self, x):
        x = self.bn2(self.fc2(F.relu(self.bn1(self.fc1(x)))))
        return torch.log(1e-6 + torch.exp(self.gamma * x + self.beta))


class PairModule(nn.Module):
    """SmartCosine, Bilinear or the pair MLP (docs/training.md, Models) on [left || right]."""

    def __init__(self, state):
        super().__init__()
        if "fc1.weight" in state:
            d = state["fc1.weight"].shape[1]
            self.fc1 = nn.Linear(d, 2, bias="fc1.bias" in state)
            self.f = lambda a, b: self.fc1(a * b)
        elif "fc.weight" in state:
            d = state["fc.weight"].shape[1]
            self.fc = nn.Bilinear(d, d, 2)
            self.f = lambda a, b: self.fc(a, b)
        else:
            n = len([k for k in state if k.endswith(".weight")])
            self.hidden = nn.ModuleList(nn.Linear(state[f"hidden.{i}.weight"].shape[1], state[f"hidden.{i}.weight"].shape[0])
                                        for i in range(n))

            def mlp(a, b):
                h = torch.cat((a, b), dim=1)
                for i, layer in enumerate(self.hidden):
                    h = layer(h)
                    if i < n - 1:
                        h = F.relu(h)
                return h
            self.f = mlp
        self.load_state_dict(state, strict=True)

    def forward(self, a, b):
        return self.f(a, b)


HEADS = [("scale", "scale_predictor"), ("pfe", "head"), ("prob", "head"), ("pfe-adjustable", "head"),
         ("pair-smart_cosine", "pair_classifier"), ("pair-bilinear", "pair_classifier"), ("pair-mlp", "pair_classifier")]


def build(kind, state):
    if kind == "scale":
        return scale_head(state)
    if kind == "pfe":
        return pfe_head(state)
    if kind == "prob":
        m = ProbHead(state["fc1.weight"].shape[1], state["fc1.weight"].shape[0])
    elif kind == "pfe-adjustable":
        m = PFEHeadAdjustable(state["fc1"].shape[1], state["fc1"].shape[0])
    else:
        return PairModule(state)
    m.load_state_dict(state, strict=True)
    return m


def main(directory):
    x = torch.from_numpy(np.load(os.path.join(directory, "bottleneck.npy")).astype(np.float32))
    e = torch.from_numpy(np.load(os.path.join(directory, "embeddings.npy")).astype(np.float32))
    failures = 0
    for kind, section in HEADS:
        path = os.path.join(directory, f"{kind}.pth")
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        state = ckpt[section]
        check_dtypes(state, path)
        model = build(kind, state)
        model.eval()
        with torch.no_grad():
            if kind.startswith("pair-"):
                # In float64: torch's float32 Bilinear loses ~1e-7 of the summed magnitude
                # (6e-4 at logits of 5000 here); scaleface accumulates in double.
                model = model.double()
                y = model(e.double(), torch.flip(e, dims=[0]).double())
            else:
                y = model(x)
            if kind == "scale":
                y = activate(y, "exp", 64.0)
        expected = np.load(os.path.join(directory, f"{kind}_expected.npy"))
        got = y.numpy().reshape(expected.shape)
        # Logits cross zero: below 1 in magnitude the difference is taken as absolute.
        floor = 1.0 if kind.startswith("pair-") else 1e-12
        rel = np.max(np.abs(got - expected) / np.maximum(np.abs(expected), floor))
        ok = rel <= 1e-5
        failures += not ok
        extra = f", centers {tuple(ckpt['centers'].shape)}" if "centers" in ckpt else ""
        print(f"{kind}: torch {torch.__version__} loaded {path} (weights_only=True, strict), "
              f"{len(state)} tensors{extra}; max relative difference {rel:.2e} over {got.size} values: "
              f"{'OK' if ok else 'MISMATCH'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".build/head-parity")
