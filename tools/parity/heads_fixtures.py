"""Writes the uncertainty-head and MagFace parity fixtures to Tests/BackboneTests/Fixtures/heads
(run outside CI; docs/strategies.md, "Heads" and "MagFace"):

    SCALEFACE_PYENV=/work/pyenv bash tools/pyenv.sh torch numpy   # prints the venv's python
    /work/pyenv/bin/python tools/parity/heads_fixtures.py

1. small.json: the four heads of the `head` section (pfe_head, pfe_head_adjustable,
   pfe_head_adjustable_spectral, prob_head) at in_feat 96, out_feat 16, random weights and
   BatchNorm statistics, on 5 bottleneck rows (float16-representable values, so a half-precision
   store holds them exactly). The spectral head's weight_u / weight_v are what torch's
   spectral_norm leaves after one training-mode forward (3 power iterations from its random
   start); the expectation is then PyTorch in eval mode, which uses them as stored. The script
   checks that each quirk matters: the expected outputs differ from what the head would give
   with the exact spectral norm, with one more power iteration, without row normalisation or
   with the other input normalisation.
2. full.json: the shipped geometry (in_feat 25088, out_feat 512) of pfe_head_adjustable,
   prob_head and pfe_head_adjustable_spectral from SplitMix64 seed weights (a 51 MB fc1 is not
   committed): tensor k of a head draws from SplitMix64.stream(seed, k), 24-bit integers j =
   next() >> 40 giving offset + amplitude * (j - 2^23) / 2^23 (computed in float64, rounded to
   float32); feature row r draws from SplitMix64.stream(feature_seed, r) with offset 0,
   amplitude 1. The spectral head's u / v come from torch's power iterations and are committed.
3. MagFace: a MagFace-layout checkpoint (`state_dict` of a DataParallel model whose child
   `features` is the iResNet, plus the margin classifier `module.fc.weight`) and a reference
   `arcface+magface` checkpoint (`backbone` + converted `uncertainty_model`), reduced iResNets on
   the backbone fixtures' 40 x 40 images, with the features PyTorch computes.
"""
import json
import os
import pathlib
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from reference_models import (IResNet, PFEHead, PFEHeadAdjustable, PFEHeadAdjustableSpectral,  # noqa: E402
                              ProbHead, preprocess, randomise)
from stylegan2_discriminator import draws, stream_state  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "BackboneTests" / "Fixtures"
OUT = FIXTURES / "heads"
IN, HIDDEN, ROWS = 96, 16, 5
FULL_IN, FULL_OUT, FULL_ROWS, FEATURE_SEED = 25088, 512, 4, 2026120201


def save_f32(name, tensor):
    arr = np.ascontiguousarray(tensor.detach().float().numpy()).astype("<f4")
    (OUT / name).write_bytes(arr.tobytes())
    return {"file": name, "shape": list(arr.shape)}


def sigma_sq(log_sigma):
    return torch.exp(log_sigma)


def relative_change(a, b):
    return float((a - b).abs().max() / b.abs().max())


def discriminates(name, expected, alternative, what):
    change = relative_change(alternative, expected)
    assert change > 1e-2, f"{name}: {what} changes the output by only {change:.2e}"
    return f"{what}: {change:.3f}"


def spectral_sigma_exact(w):
    return torch.linalg.matrix_norm(w, ord=2)


def spectral_forward(head, x, sigmas):
    """The spectral head's eval forward with given sigma per layer (for the discrimination checks)."""
    w1 = head.fc1.weight_orig / sigmas[0]
    w2 = head.fc2.weight_orig / sigmas[1]
    h = F.relu(head.bn1(F.linear(x, w1)))
    h = head.bn2(F.linear(h, w2))
    return torch.log(1e-6 + torch.exp(head.gamma * h + head.beta))


def power_iterated_sigma(layer, extra):
    """sigma after `extra` more power iterations from the stored u, v (what a port that kept
    iterating at inference would use)."""
    w, u, v = layer.weight_orig, layer.weight_u.clone(), layer.weight_v.clone()
    for _ in range(extra):
        v = F.normalize(torch.mv(w.t(), u), dim=0, eps=1e-12)
        u = F.normalize(torch.mv(w, v), dim=0, eps=1e-12)
    return torch.dot(u, torch.mv(w, v))


def small_cases(g):
    x = torch.randn(ROWS, IN, generator=g).half().float()
    cases, checks = [], {}

    def finish(name, kind, head, checkpoint, section, gamma, beta):
        with torch.no_grad():
            head.gamma.fill_(gamma)
            head.beta.fill_(beta)
        head.eval()
        sd = head.state_dict()
        torch.save({section: sd, "epoch": 3} if section else sd, OUT / checkpoint)
        with torch.no_grad():
            log_sigma = head(x)
        cases.append({"name": name, "kind": kind, "checkpoint": checkpoint, "section": section,
                      "log_sigma_sq": save_f32(f"{name}.log_sigma_sq.f32", log_sigma),
                      "sigma_sq": save_f32(f"{name}.sigma_sq.f32", sigma_sq(log_sigma))})
        return log_sigma

    # pfe_head: biased Linears on x / ||x||.
    pfe = randomise(PFEHead(IN, HIDDEN), g)
    out = finish("pfe_head", "pfe_head", pfe, "pfe_head.pth", "head", 1.1, -1.2)
    with torch.no_grad():
        h = pfe.bn2(pfe.fc2(F.relu(pfe.bn1(pfe.fc1(x)))))
        checks["pfe_head"] = [discriminates("pfe_head", out, torch.log(1e-6 + torch.exp(pfe.gamma * h + pfe.beta)),
                                            "no input normalisation")]

    # pfe_head_adjustable: bare fc1 / fc2, rows normalised; a bare state dict.
    adj = randomise(PFEHeadAdjustable(IN, HIDDEN), g)
    with torch.no_grad():
        adj.fc1.normal_(0, 1, generator=g)
        adj.fc2.normal_(0, 1, generator=g)
    out = finish("pfe_head_adjustable", "pfe_head_adjustable", adj, "pfe_head_adjustable.pth", None, 1.3, 0.2)
    with torch.no_grad():
        h = adj.bn2(F.linear(F.relu(adj.bn1(F.linear(x, adj.fc1))), adj.fc2))
        checks["pfe_head_adjustable"] = [discriminates("pfe_head_adjustable", out,
                                                       torch.log(1e-6 + torch.exp(adj.gamma * h + adj.beta)),
                                                       "no row normalisation")]

    # pfe_head_adjustable_spectral: torch's spectral_norm, one training-mode forward of each
    # layer (3 power iterations from torch's random u), then BatchNorm statistics, then eval.
    spec = PFEHeadAdjustableSpectral(IN, HIDDEN)
    with torch.no_grad():
        spec.fc1.weight_orig.normal_(0, 1, generator=g)
        spec.fc2.weight_orig.normal_(0, 1, generator=g)
        spec.train()
        spec.fc2(spec.fc1(x))
    randomise(spec.bn1, g)
    randomise(spec.bn2, g)
    out = finish("pfe_head_adjustable_spectral", "pfe_head_adjustable_spectral", spec,
                 "pfe_head_adjustable_spectral.pth", "head", 0.8, -0.5)
    with torch.no_grad():
        stored = [torch.dot(l.weight_u, torch.mv(l.weight_orig, l.weight_v)) for l in (spec.fc1, spec.fc2)]
        exact = [spectral_sigma_exact(l.weight_orig) for l in (spec.fc1, spec.fc2)]
        more = [power_iterated_sigma(l, 3) for l in (spec.fc1, spec.fc2)]
        assert relative_change(spectral_forward(spec, x, stored), out) < 1e-5
        checks["pfe_head_adjustable_spectral"] = [
            discriminates("spectral", out, spectral_forward(spec, x, exact), "exact spectral norm"),
            discriminates("spectral", out, spectral_forward(spec, x, more), "3 more power iterations"),
            f"sigma stored fc1 {float(stored[0]):.4f} exact {float(exact[0]):.4f}; "
            f"fc2 {float(stored[1]):.4f} exact {float(exact[1]):.4f}"]

    # prob_head: biased Linears, one sigma^2, no input normalisation.
    prob = randomise(ProbHead(IN, HIDDEN), g)
    out = finish("prob_head", "prob_head", prob, "prob_head.pth", "head", 0.9, -0.3)
    with torch.no_grad():
        xn = x / x.norm(dim=-1, keepdim=True)
        h = prob.bn2(prob.fc2(F.relu(prob.bn1(prob.fc1(xn)))))
        checks["prob_head"] = [discriminates("prob_head", out, torch.log(1e-6 + torch.exp(prob.gamma * h + prob.beta)),
                                             "input normalisation")]
    return {"in": IN, "hidden": HIDDEN, "rows": ROWS, "features": save_f32("small.features.f32", x),
            "cases": cases, "checks": checks}


def seeded(seed, k, shape, offset, amplitude):
    j = (draws(stream_state(seed, k), int(np.prod(shape))) >> np.uint64(40)).astype(np.int64) - (1 << 23)
    return torch.from_numpy((offset + amplitude * (j.astype(np.float64) / 2.0 ** 23)).astype(np.float32).reshape(shape))


def bn_specs(prefix, n, affine):
    specs = []
    if affine:
        specs += [(f"{prefix}.weight", [n], 1.0, 0.5), (f"{prefix}.bias", [n], 0.0, 0.25)]
    return specs + [(f"{prefix}.running_mean", [n], 0.0, 0.25), (f"{prefix}.running_var", [n], 1.0, 0.5)]


def full_cases():
    x = torch.stack([seeded(FEATURE_SEED, r, [FULL_IN], 0.0, 1.0) for r in range(FULL_ROWS)])
    heads = [
        ("pfe_head_adjustable", 11, 0.7, -0.5,
         [("fc1", [FULL_OUT, FULL_IN], 0.0, 1.0)] + bn_specs("bn1", FULL_OUT, True) +
         [("fc2", [FULL_OUT, FULL_OUT], 0.0, 1.0)] + bn_specs("bn2", FULL_OUT, False)),
        ("prob_head", 12, 1.5, -0.5,
         [("fc1.weight", [FULL_OUT, FULL_IN], 0.0, 2.0 ** -7), ("fc1.bias", [FULL_OUT], 0.0, 0.125)] +
         bn_specs("bn1", FULL_OUT, True) +
         [("fc2.weight", [1, FULL_OUT], 0.0, 2.0 ** -4), ("fc2.bias", [1], 0.0, 0.125)] + bn_specs("bn2", 1, False)),
        ("pfe_head_adjustable_spectral", 13, 0.7, -0.5,
         [("fc1.weight_orig", [FULL_OUT, FULL_IN], 0.0, 1.0)] + bn_specs("bn1", FULL_OUT, True) +
         [("fc2.weight_orig", [FULL_OUT, FULL_OUT], 0.0, 1.0)] + bn_specs("bn2", FULL_OUT, False)),
    ]
    modules = {"pfe_head_adjustable": lambda: PFEHeadAdjustable(FULL_IN, FULL_OUT),
               "prob_head": lambda: ProbHead(FULL_IN, FULL_OUT),
               "pfe_head_adjustable_spectral": lambda: PFEHeadAdjustableSpectral(FULL_IN, FULL_OUT)}
    cases = []
    for name, seed, gamma, beta, specs in heads:
        head = modules[name]()
        sd = {n: seeded(seed, k, shape, off, amp) for k, (n, shape, off, amp) in enumerate(specs)}
        sd["gamma"], sd["beta"] = torch.tensor([gamma]), torch.tensor([beta])
        case = {"name": name, "seed": seed, "gamma": gamma, "beta": beta,
                "tensors": [{"name": n, "shape": s, "offset": o, "amplitude": a} for n, s, o, a in specs]}
        with torch.no_grad():
            if name == "pfe_head_adjustable_spectral":
                torch.manual_seed(seed)
                for layer in ("fc1", "fc2"):
                    getattr(head, layer).weight_orig.copy_(sd[f"{layer}.weight_orig"])
                    nn.init.normal_(getattr(head, layer).weight_u)
                    nn.init.normal_(getattr(head, layer).weight_v)
                head.train()
                head.fc2(head.fc1(x))
                for layer in ("fc1", "fc2"):
                    for part in ("u", "v"):
                        t = getattr(getattr(head, layer), f"weight_{part}")
                        sd[f"{layer}.weight_{part}"] = t.clone()
                        case[f"{layer}.weight_{part}"] = save_f32(f"full_{name}.{layer}.weight_{part}.f32", t)
            for k in ("bn1", "bn2"):
                getattr(head, k).num_batches_tracked.fill_(1000)
                sd[f"{k}.num_batches_tracked"] = getattr(head, k).num_batches_tracked.clone()
            missing, unexpected = head.load_state_dict(sd, strict=True)
            head.eval()
            log_sigma = head(x)
        case["sigma_sq"] = save_f32(f"full_{name}.sigma_sq.f32", sigma_sq(log_sigma))
        spread = float(sigma_sq(log_sigma).std() / sigma_sq(log_sigma).mean())
        assert spread > 0.05, f"{name}: sigma^2 barely varies ({spread})"
        cases.append(case)
    return {"in": FULL_IN, "out": FULL_OUT, "rows": FULL_ROWS, "feature_seed": FEATURE_SEED, "cases": cases}


class MagFaceBuilder(nn.Module):
    """MagFace's training model as DDP saves it: child `features` (the iResNet) and the margin
    classifier `fc` (MagLinear, weight [embedding, classes])."""

    def __init__(self, net, classes, g):
        super().__init__()
        self.features = net
        self.fc = nn.Module()
        self.fc.weight = nn.Parameter(torch.randn(net.fc.out_features, classes, generator=g))


def magface_cases(g):
    images = np.frombuffer((FIXTURES / "images.u8").read_bytes(), dtype=np.uint8).reshape(3, 40, 40, 3).copy()
    arcface_x, magface_x = preprocess(images, "mean_scale"), preprocess(images, "scale")
    widths, emb = [4, 8, 8, 16], 16

    def net(blocks):
        n = randomise(IResNet(blocks, widths, 40, emb), g)
        with torch.no_grad():
            n.features.weight.fill_(1.0)
        return n

    magface = net([2, 2, 2, 2])
    ddp = nn.DataParallel(MagFaceBuilder(magface, 10, g))
    torch.save({"epoch": 25, "arch": "iresnet18", "state_dict": ddp.state_dict()}, OUT / "magface_ddp.pth")
    backbone, uncertainty = net([2, 2, 2, 2]), net([1, 2, 1, 1])
    torch.save({"backbone": backbone.state_dict(), "uncertainty_model": uncertainty.state_dict()},
               OUT / "arcface_magface.pth")
    with torch.no_grad():
        m_feature = magface(magface_x)[0]
        b_feature = backbone(arcface_x)[0]
        u_feature = uncertainty(magface_x)[0]
        assert relative_change(uncertainty(arcface_x)[0].norm(dim=1), u_feature.norm(dim=1)) > 1e-2
    return {"widths": widths, "embedding": emb, "input_size": 40, "images": 3,
            "magface_ddp": {"checkpoint": "magface_ddp.pth", "arch": "iresnet18",
                            "feature": save_f32("magface_ddp.feature.f32", m_feature),
                            "norm": save_f32("magface_ddp.norm.f32", m_feature.norm(dim=1, keepdim=True))},
            "arcface_magface": {"checkpoint": "arcface_magface.pth", "arch": "iresnet18", "uncertainty_blocks": [1, 2, 1, 1],
                                "feature": save_f32("arcface_magface.feature.f32", b_feature),
                                "emb_norm": save_f32("arcface_magface.emb_norm.f32", b_feature.norm(dim=1, keepdim=True)),
                                "uncertainty_model": save_f32("arcface_magface.uncertainty_model.f32",
                                                              u_feature.norm(dim=1, keepdim=True))}}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(20261202)
    small = small_cases(g)
    (OUT / "small.json").write_text(json.dumps(small, indent=1) + "\n")
    full = full_cases()
    (OUT / "full.json").write_text(json.dumps(full, indent=1) + "\n")
    magface = magface_cases(g)
    (OUT / "magface.json").write_text(json.dumps(magface, indent=1) + "\n")
    for name, lines in small["checks"].items():
        print(name, "; ".join(lines))
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {OUT} ({total / 1e6:.2f} MB, torch {torch.__version__})")


if __name__ == "__main__":
    main()
