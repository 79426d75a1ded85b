"""PyTorch parity fixtures for the pair classifiers (docs/strategies.md, Pair classifiers).

Writes Tests/BackboneTests/Fixtures/pair_classifier/: for each classifier kind (SmartCosine with
and without bias, Bilinear, MLP [128, 32]) a checkpoint with random weights (section
`pair_classifier` of a dict, or a bare state dict), and for P unit-norm embedding pairs the
values the reference computes in float32:

    L = log_softmax(z)            (the model's output)
    p = softmax(L, dim=-1)        (softmax applied again, as the reference's wrapper does)
    same = p[:, 1]                (the `classifier` distance)
    unc  = 1 - p.max(dim=1)       (the `classifier` uncertainty)

The models are written here from the spec (not the reference's code). Input is
[left || right], left first. Files: left.f32, right.f32 (P x 512 row-major), <case>.same.f32,
<case>.uncertainty.f32 (P), <case>.pth, manifest.json.
Usage: python tools/parity/classifier_fixtures.py [out_dir]
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

D = 512
P = 300


class SmartCosine(nn.Module):
    def __init__(self, bias):
        super().__init__()
        self.fc1 = nn.Linear(D, 2, bias=bias)

    def forward(self, x):
        return F.log_softmax(self.fc1(x[:, :D] * x[:, D:]), dim=1)


class Bilinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Bilinear(D, D, 2)

    def forward(self, x):
        return F.log_softmax(self.fc(x[:, :D], x[:, D:]), dim=1)


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.hidden):
            x = layer(x)
            if i + 1 < len(self.hidden):
                x = torch.relu(x)
        return F.log_softmax(x, dim=1)


def save_f32(out, name, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(os.path.join(out, name))
    return {"file": name, "shape": list(array.shape)}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "Tests", "BackboneTests", "Fixtures", "pair_classifier")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    left = F.normalize(torch.randn(P, D), dim=1)
    # Right: a mix of near-duplicates of left (genuine-like) and independent vectors.
    noise = torch.randn(P, D)
    mix = torch.rand(P, 1)
    right = F.normalize(left * mix * 3 + noise * (1 - mix), dim=1)
    x = torch.cat((left, right), dim=1)
    cases = []
    models = [
        ("smart_cosine", SmartCosine(True), 150.0, True),
        ("smart_cosine_nobias", SmartCosine(False), 150.0, False),
        ("bilinear", Bilinear(), 6.0, True),
        ("mlp", MLP([2 * D, 128, 32, 2]), 0.0, True),
    ]
    for name, model, gain, sectioned in models:
        with torch.no_grad():
            # Weights large enough that the logit gap spreads over about +-10 (some p near 0/1).
            for key, p in model.named_parameters():
                if key.endswith("bias"):
                    p.copy_(torch.randn_like(p) * 0.5)
                elif gain > 0:
                    p.copy_(torch.randn_like(p) * gain)
                else:  # MLP: He-scaled hidden layers, a wide last layer
                    last = key.startswith("hidden.%d." % (len(model.hidden) - 1))
                    p.copy_(torch.randn_like(p) * (4.0 if last else (2.0 / p.shape[1]) ** 0.5))
        model.eval()
        with torch.no_grad():
            log_p = model(x)
            p = F.softmax(log_p, dim=-1)
            same = p[:, 1]
            unc = 1 - p.max(dim=1).values
        state = {k: v.clone() for k, v in model.state_dict().items()}
        ckpt = {"pair_classifier": state} if sectioned else state
        torch.save(ckpt, os.path.join(out, name + ".pth"))
        cases.append({
            "name": name,
            "checkpoint": name + ".pth",
            "sectioned": sectioned,
            "same": save_f32(out, name + ".same.f32", same.numpy()),
            "uncertainty": save_f32(out, name + ".uncertainty.f32", unc.numpy()),
            "saturated": int((same == 1.0).sum() + (same == 0.0).sum()),
        })
    manifest = {
        "pairs": P,
        "dimension": D,
        "left": save_f32(out, "left.f32", left.numpy()),
        "right": save_f32(out, "right.f32", right.numpy()),
        "cases": cases,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
