"""Loss fixtures for the training losses of docs/training.md ("Losses"), in PyTorch float64.

    $(SCALEFACE_PYENV=/work/pyenv tools/pyenv.sh torch numpy) tools/parity/loss_fixtures.py

writes Tests/BackboneTests/Fixtures/losses/*.json (a few KB each): the inputs (from a fixed
numpy seed), the loss value and the gradients torch's autograd gives. The losses are written
here from the definitions in docs/training.md, independently of the Swift code:

- prob.json: ProbLoss = MLS (on normalised mu, mean over ordered same-label pairs i != j)
  + lambda_c * constraint + lambda_id * mean(max(0, +-t_ijd + m)) (triplet on raw mu,
  positives +, negatives -), m = 3, lambda_c = lambda_id = 0.1; log_sigma [N, D] (PFE) and
  [N, 1] (ProbFace). Gradient with respect to log_sigma.
- angle.json: the angular linear layer (weight [D, C], columns renormalised, cos clamped,
  phi = (-1)^k cos(m theta) - 2k with k = floor(m theta / 3.14159265) from the detached angle,
  both times |x|) followed by AngleLoss with lambda = max(5, 1500 / (1 + 0.1 it)), gamma 0.
  Gradients with respect to x and the weight.
- pair.json: SmartCosine (with and without bias), Bilinear and the pair MLP on [left || right],
  log_softmax then CrossEntropyLoss (batch mean) with labels 1 = same. Gradients with respect
  to every parameter.
- heads.json: PFEHeadAdjustable (bare fc1 / fc2, rows normalised, no biases, gamma / beta) and
  ProbHead (biased fc1 / fc2, width-1 output, no input normalisation) in training mode (batch
  statistics, biased variance, eps 1e-5) followed by ProbLoss: loss and the gradients of the
  parameters, under the reference's state_dict names.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "BackboneTests", "Fixtures", "losses")
rng = np.random.default_rng(20261202)


def t(a, grad=False):
    x = torch.tensor(np.asarray(a, dtype=np.float64))
    x.requires_grad_(grad)
    return x


def flat(x):
    return [float(v) for v in x.detach().reshape(-1).tolist()]


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


# ---------------------------------------------------------------- ProbLoss
def mls_loss(mu, log_sigma, labels):
    mu = F.normalize(mu)
    s2 = torch.exp(log_sigma)
    ss = s2[:, None, :] + s2[None, :, :]
    d = ((mu[:, None, :] - mu[None, :, :]) ** 2 / (1e-10 + ss) + torch.log(ss)).sum(dim=2)
    n = len(labels)
    pos = (labels[:, None] == labels[None, :]) & ~torch.eye(n, dtype=torch.bool)
    return d[pos].mean()


def constraint_loss(log_sigma):
    return (log_sigma / log_sigma.mean(0) - 1).abs().sum(dim=-1).mean()


def triplet_term(mu, log_sigma, labels, m):
    s2 = torch.exp(log_sigma)
    ss = s2[:, None, :] + s2[None, :, :]
    d = (mu[:, None, :] - mu[None, :, :]) ** 2 / (1e-10 + ss) + torch.log(ss)   # [N, N, D], no sum
    n = len(labels)
    same = labels[:, None] == labels[None, :]
    off = ~torch.eye(n, dtype=torch.bool)
    entries = torch.cat((d[same & off] + m, -d[~same & off] + m), dim=0)
    return torch.clamp(entries, min=0).mean()


def prob_loss(mu, log_sigma, labels, m=3.0, lc=0.1, lid=0.1):
    a, b, c = mls_loss(mu, log_sigma, labels), constraint_loss(log_sigma), triplet_term(mu, log_sigma, labels, m)
    return a + lc * b + lid * c, (a, b, c)


def prob_case(width, seed_shift):
    n, d = 8, 5
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    mu = rng.normal(size=(n, d)) * 0.6
    # log sigma^2 around -1 so that many hinge arguments fall on both sides of 0
    ls = rng.normal(size=(n, width)) * 0.5 - 1.0 + seed_shift
    x = t(ls, True)
    loss, (a, b, c) = prob_loss(t(mu), x, torch.tensor(labels))
    loss.backward()
    return {"rows": n, "dimension": d, "width": width, "labels": labels.tolist(), "mu": flat(t(mu)),
            "log_sigma": flat(x), "loss": loss.item(), "mls": a.item(), "constraint": b.item(),
            "triplet": c.item(), "grad_log_sigma": flat(x.grad)}


write("prob.json", {"margin": 3.0, "lambda_c": 0.1, "lambda_id": 0.1,
                    "cases": [prob_case(5, 0.0), prob_case(1, 0.3)]})


# ---------------------------------------------------------------- AngleLoss
CHEB = [lambda x: x ** 0, lambda x: x, lambda x: 2 * x ** 2 - 1, lambda x: 4 * x ** 3 - 3 * x,
        lambda x: 8 * x ** 4 - 8 * x ** 2 + 1, lambda x: 16 * x ** 5 - 20 * x ** 3 + 5 * x]


def angle_linear(x, w, m=4):
    ww = w.renorm(2, 1, 1e-5).mul(1e5)
    xlen = x.pow(2).sum(1).pow(0.5)
    wlen = ww.pow(2).sum(0).pow(0.5)
    cos = (x.mm(ww) / xlen.view(-1, 1) / wlen.view(1, -1)).clamp(-1, 1)
    theta = cos.detach().acos()
    k = (m * theta / 3.14159265).floor()
    phi = ((-1.0) ** k) * CHEB[m](cos) - 2 * k
    return cos * xlen.view(-1, 1), phi * xlen.view(-1, 1)


def angle_loss(cos, phi, labels, it, gamma=0.0):
    lam = max(5.0, 1500.0 / (1 + 0.1 * it))
    onehot = F.one_hot(labels, cos.shape[1]).bool()
    out = torch.where(onehot, cos - cos / (1 + lam) + phi / (1 + lam), cos)
    logpt = F.log_softmax(out, dim=1).gather(1, labels.view(-1, 1)).view(-1)
    pt = logpt.detach().exp()
    return (-((1 - pt) ** gamma) * logpt).mean(), lam


def angle_case(it, m):
    n, d, c = 6, 4, 3
    labels = np.array([0, 1, 2, 0, 1, 2])
    x = rng.normal(size=(n, d)) * 2.0
    w = rng.uniform(-1, 1, size=(d, c))
    # the true class of some rows points nearly at / away from its centre: k = 0 .. m-1 all occur
    x[1] = w[:, 1] * 3 + rng.normal(size=d) * 0.1
    x[2] = -w[:, 2] * 2 + rng.normal(size=d) * 0.1
    xt, wt = t(x, True), t(w, True)
    cos, phi = angle_linear(xt, wt, m)
    loss, lam = angle_loss(cos, phi, torch.tensor(labels), it)
    loss.backward()
    theta = torch.acos(cos.detach() / xt.detach().norm(dim=1, keepdim=True)).clamp(0, math.pi)
    ks = sorted(set(int(v) for v in (m * theta / 3.14159265).floor().reshape(-1).tolist()))
    return {"rows": n, "dimension": d, "classes": c, "m": m, "iteration": it, "lambda": lam, "k_values": ks,
            "labels": labels.tolist(), "x": flat(xt), "weight_dc": flat(wt), "loss": loss.item(),
            "grad_x": flat(xt.grad), "grad_weight_dc": flat(wt.grad)}


write("angle.json", {"cases": [angle_case(1, 4), angle_case(3000, 4), angle_case(40, 2)]})


# ---------------------------------------------------------------- pair classifiers
def pair_case(kind):
    p, d = 7, 4
    left, right = rng.normal(size=(p, d)), rng.normal(size=(p, d))
    labels = np.array([1, 0, 1, 1, 0, 0, 1])
    x1, x2 = t(left), t(right)
    params = {}
    if kind.startswith("smart_cosine"):
        params["fc1.weight"] = t(rng.normal(size=(2, d)), True)
        if kind == "smart_cosine":
            params["fc1.bias"] = t(rng.normal(size=2), True)
        z = F.linear(x1 * x2, params["fc1.weight"], params.get("fc1.bias"))
    elif kind == "bilinear":
        params["fc.weight"] = t(rng.normal(size=(2, d, d)) * 0.5, True)
        params["fc.bias"] = t(rng.normal(size=2), True)
        z = F.bilinear(x1, x2, params["fc.weight"], params["fc.bias"])
    else:
        sizes = [2 * d, 5, 3, 2]
        h = torch.cat((x1, x2), dim=1)
        for i in range(3):
            params[f"hidden.{i}.weight"] = t(rng.normal(size=(sizes[i + 1], sizes[i])) * 0.7, True)
            params[f"hidden.{i}.bias"] = t(rng.normal(size=sizes[i + 1]) * 0.3, True)
            h = F.linear(h, params[f"hidden.{i}.weight"], params[f"hidden.{i}.bias"])
            if i < 2:
                h = torch.relu(h)
        z = h
    out = F.log_softmax(z, dim=1)
    loss = torch.nn.CrossEntropyLoss()(out, torch.tensor(labels))
    loss.backward()
    return {"kind": kind, "pairs": p, "dimension": d, "labels": labels.tolist(), "left": flat(x1), "right": flat(x2),
            "params": {k: {"shape": list(v.shape), "values": flat(v), "grad": flat(v.grad)} for k, v in params.items()},
            "logits": flat(z), "loss": loss.item()}


write("pair.json", {"cases": [pair_case(k) for k in ["smart_cosine", "smart_cosine_nobias", "bilinear", "mlp"]]})


# ---------------------------------------------------------------- heads in training mode + ProbLoss
def batch_norm_train(x, weight=None, bias=None):
    mean = x.mean(0)
    var = x.var(0, unbiased=False)
    y = (x - mean) / torch.sqrt(var + 1e-5)
    if weight is not None:
        y = y * weight + bias
    return y


def head_case(kind):
    n, f, d = 8, 6, 5
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    b = rng.normal(size=(n, f))
    mu = rng.normal(size=(n, d)) * 0.6
    hidden = d if kind == "pfe_adjustable" else 4
    out = d if kind == "pfe_adjustable" else 1
    P = {}
    if kind == "pfe_adjustable":
        P["fc1"] = t(rng.normal(size=(hidden, f)), True)
        P["fc2"] = t(rng.normal(size=(out, hidden)), True)
    else:
        P["fc1.weight"] = t(rng.normal(size=(hidden, f)) * 0.5, True)
        P["fc1.bias"] = t(rng.normal(size=hidden) * 0.1, True)
        P["fc2.weight"] = t(rng.normal(size=(out, hidden)) * 0.5, True)
        P["fc2.bias"] = t(rng.normal(size=out) * 0.1, True)
    P["bn1.weight"] = t(1 + 0.2 * rng.normal(size=hidden), True)
    P["bn1.bias"] = t(0.2 * rng.normal(size=hidden), True)
    P["gamma"] = t([0.7], True)
    P["beta"] = t([-0.5], True)
    x = t(b)
    if kind == "pfe_adjustable":
        h = F.linear(x, F.normalize(P["fc1"]))
    else:
        h = F.linear(x, P["fc1.weight"], P["fc1.bias"])
    h = torch.relu(batch_norm_train(h, P["bn1.weight"], P["bn1.bias"]))
    h = F.linear(h, F.normalize(P["fc2"])) if kind == "pfe_adjustable" else F.linear(h, P["fc2.weight"], P["fc2.bias"])
    h = batch_norm_train(h)
    ls = torch.log(1e-6 + torch.exp(P["gamma"] * h + P["beta"]))
    loss, _ = prob_loss(t(mu), ls, torch.tensor(labels))
    loss.backward()
    return {"kind": kind, "rows": n, "features": f, "hidden": hidden, "outputs": out, "dimension": d,
            "labels": labels.tolist(), "bottleneck": flat(x), "mu": flat(t(mu)), "log_sigma": flat(ls), "loss": loss.item(),
            "params": {k: {"shape": list(v.shape), "values": flat(v), "grad": flat(v.grad)} for k, v in P.items()}}


write("heads.json", {"cases": [head_case("pfe_adjustable"), head_case("prob")]})
print("wrote", sorted(os.listdir(OUT)))
