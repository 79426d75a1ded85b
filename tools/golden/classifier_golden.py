#!/usr/bin/env python3
"""Golden fixture for the `classifier` metrics of `reject` and `fusion` (docs/metrics.md,
"Pair classifiers"; docs/strategies.md, "Pair classifiers"), written from the reference's
definitions with numpy and h5py only:

    z        = classifier([mu_left || mu_right])      logits, left image (template) first
    L        = log_softmax(z)                          float32
    p        = softmax(L)                              float32 (softmax of the log-softmax)
    classifier distance    = p[:, 1]
    classifier uncertainty = 1 - max(p[:, 0], p[:, 1])

The three models (SmartCosine, Bilinear, MLP) are written here from their definitions, on
16-d embeddings so that the weights stay small (Bilinear 2 x 16 x 16). Logits are computed in
float64 and rounded to float32 (PyTorch's float32 logits differ by rounding only; no pair is
near a TAR threshold or an uncertainty tie for that to matter, checked below). The weights
are chosen so that some pairs saturate (p1 exactly 1, uncertainty exactly 0), as trained
classifiers do; those ties are ordered by the project's stable sort (docs/metrics.md).

Reject: 240 image pairs of a 120-image store, metrics classifier_classifier, cosine_classifier
and MLS_classifier (MLS with the store's 16-d `head` sigma^2), mode uncertainty, for each
classifier. Fusion: the same images as 60 templates of 2 (InsightFace layout), `mean` fusion
(normalised mean embedding, mean sigma^2), the classifier on the fused template embeddings,
metrics mean_classifier_classifier, mean_cosine_classifier, mean_MLS_classifier.

Writes Tests/Fixtures/classifier/: store.h5 (a scaleface store written with h5py, keeping the
Bilinear classifier in /pair_classifier, docs/store.md), smart_cosine.h5 (section
`pair_classifier.`), bilinear.h5, mlp.h5 (bare state dicts; scaleface weights layout,
docs/backbone.md), pairs.csv, ijbc_face_tid_mid.txt, ijbc_template_pair_label.txt, and
golden.json (per classifier: p(same) and uncertainty per image pair, and per metric the
reject curve: tar [far][portion], kept).

Run:  /work/pyenv/bin/python tools/golden/classifier_golden.py   (numpy, h5py)
"""
import json
import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analysis_golden import clean, fuse, reject_curve  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "classifier")
D, IDS, PER = 16, 30, 4
FARS = [0.05, 0.1, 0.2]
PORTIONS = [float(x) for x in np.linspace(0, 0.5, 6)]


def l2n(x):
    """The reference's l2_normalize in float32: x / (1e-8 + ||x||)."""
    x = np.asarray(x, dtype=np.float32)
    return x / (np.float32(1e-8) + np.linalg.norm(x, axis=1, keepdims=True).astype(np.float32))


def cosine(x1, x2):
    return np.sum(l2n(x1) * l2n(x2), axis=1, dtype=np.float32)


def mls(x1, x2, s1, s2):
    s = (s1 + s2).astype(np.float32)
    d = l2n(x1) - l2n(x2)
    return -np.sum(d * d / s + np.log(s), axis=1, dtype=np.float32)


def log_softmax32(z):
    z = z.astype(np.float32)
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True, dtype=np.float32))


def softmax32(z):
    z = z.astype(np.float32)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True, dtype=np.float32)


def pair_values(z):
    p = softmax32(log_softmax32(z))
    return p[:, 1].astype(np.float32), (np.float32(1) - p.max(axis=1)).astype(np.float32)


def logits(kind, w, x1, x2):
    x1 = x1.astype(np.float64)
    x2 = x2.astype(np.float64)
    if kind == "smart_cosine":
        z = (x1 * x2) @ w["fc1.weight"].astype(np.float64).T + w["fc1.bias"]
    elif kind == "bilinear":
        z = np.einsum("pi,kij,pj->pk", x1, w["fc.weight"].astype(np.float64), x2) + w["fc.bias"]
    else:
        h = np.concatenate([x1, x2], axis=1)
        n = len([k for k in w if k.endswith(".weight")])
        for i in range(n):
            h = h @ w["hidden.%d.weight" % i].astype(np.float64).T + w["hidden.%d.bias" % i]
            if i + 1 < n:
                h = np.maximum(h, 0)
        z = h
    return z.astype(np.float32)


def classifiers(rng):
    f = np.float32
    eye = np.eye(D)
    g = 12.0  # z1 - z0 = 2 g (cos - 0.45)
    sc = {"fc1.weight": np.stack([-g * np.ones(D), g * np.ones(D)]) + rng.normal(0, 0.5, (2, D)),
          "fc1.bias": np.array([g * 0.45, -g * 0.45])}
    bl = {"fc.weight": np.stack([-g * eye, g * eye]) + rng.normal(0, 0.6, (2, D, D)),
          "fc.bias": np.array([g * 0.45, -g * 0.45])}
    sizes = [2 * D, 32, 8, 2]
    mlp = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        scale = 3.0 if i == len(sizes) - 2 else math.sqrt(2.0 / a)
        mlp["hidden.%d.weight" % i] = rng.normal(0, scale, (b, a))
        mlp["hidden.%d.bias" % i] = rng.normal(0, 0.3, b)
    return [("smart_cosine", {k: v.astype(f) for k, v in sc.items()}, True),
            ("bilinear", {k: v.astype(f) for k, v in bl.items()}, False),
            ("mlp", {k: v.astype(f) for k, v in mlp.items()}, False)]


def write_weights(path, tensors, prefix):
    """The scaleface weights layout: /format = [name, version, source], /tensors/<name>."""
    with h5py.File(path, "w") as f:
        f.create_dataset("format", data=np.array(["scaleface-weights", "1", "classifier_golden.py"],
                                                 dtype=h5py.string_dtype()))
        g = f.create_group("tensors")
        for k, v in tensors.items():
            g.create_dataset(prefix + k, data=v)


def write_store(path, paths, emb, sigma, classifier):
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "scaleface-store"
        f.attrs["format_version"] = np.int64(1)
        f.attrs["model"] = "classifier_golden.py"
        f.attrs["preprocessing"] = "mean_scale"
        f.attrs["created"] = "2026-12-02T00:00:00Z"
        f.attrs["complete"] = np.int64(1)
        f.attrs["rows_committed"] = np.int64(len(paths))
        f.create_dataset("images/path", data=np.array(paths, dtype=h5py.string_dtype()))
        f.create_dataset("embeddings", data=emb)
        u = f.create_dataset("uncertainty/head", data=sigma)
        u.attrs["mode"] = "uncertainty"
        kind, tensors = classifier
        g = f.create_group("pair_classifier")
        g.attrs["kind"] = kind
        g.attrs["source"] = kind + ".h5"
        for k, v in tensors.items():
            g.create_dataset(k, data=v)


def curves(scores_and_unc, labels):
    out = {}
    for name, (s, u) in scores_and_unc.items():
        c = reject_curve(s, u, labels, "uncertainty", FARS, PORTIONS)
        out[name] = {"tar": c["tar"], "kept": c["kept"]}
    return out


def robust(scores, unc, labels, probability):
    """Whether rounding changes leave the curve as it is (PyTorch's and Swift's float32 logits
    differ from these by ulps): at every cut of the keep order the last kept and the first
    rejected uncertainty, and at every TAR@FAR threshold the threshold and its neighbouring
    scores, are further apart than such changes could move them. A probability p moves by
    p (1 - p) dz with the logit error dz (taken as 1e-5, ten times what 16-term float32 sums
    give) plus 4 float32 steps of p; a cosine or MLS score by 1e-5 relative plus 1e-6."""
    def tolerance(v, prob):
        v = float(v)
        return 1e-5 * v * (1 - v) + 4 * float(np.spacing(np.float32(v))) if prob else 1e-5 * abs(v) + 1e-6

    def apart(a, b, prob=True):
        return abs(float(a) - float(b)) > tolerance(a, prob) + tolerance(b, prob)
    n = len(scores)
    order = np.argsort(unc, kind="stable")
    for r in PORTIONS:
        keep = int(math.floor(n * (1 - r)))
        if 0 < keep < n and not apart(unc[order[keep - 1]], unc[order[keep]]):
            return False
        s, y = scores[order[:keep]], labels[order[:keep]]
        neg = np.sort(s[~y])[::-1]
        for f in FARS:
            k = int(np.round(len(neg) * f))
            if k == 0:
                continue
            thr = neg[k - 1]
            others = np.sort(s)
            i = np.searchsorted(others, thr)
            for j in (i - 1, i + np.sum(others == thr)):
                if 0 <= j < len(others) and others[j] != thr and not apart(others[j], thr, probability):
                    return False
            if np.sum(s == thr) > 1:
                return False
    return True


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(11)
    centres = rng.normal(0, 1, (IDS, D))
    emb = (centres.repeat(PER, 0) + rng.normal(0, 0.9, (IDS * PER, D)))
    emb = (emb / np.linalg.norm(emb, axis=1, keepdims=True)).astype(np.float32)   # unit norm, as iresnet*_normalized
    sigma = np.exp(rng.normal(-1, 0.4, (IDS * PER, D))).astype(np.float32)
    paths = ["id%02d/%d.png" % (i // PER, i % PER) for i in range(IDS * PER)]
    ident = np.arange(IDS * PER) // PER

    # image pairs: every genuine pair (i, i+1) within an identity, and random impostors
    left, right = [], []
    for i in range(IDS):
        for a, b in [(0, 1), (2, 3), (1, 2)]:
            left.append(i * PER + a)
            right.append(i * PER + b)
    while len(left) < 240:
        a, b = rng.integers(0, IDS * PER, 2)
        if ident[a] != ident[b] and not any({a, b} == {l, r} for l, r in zip(left, right)):
            left.append(int(a))
            right.append(int(b))
    left, right = np.array(left), np.array(right)
    labels = ident[left] == ident[right]
    with open(os.path.join(OUT, "pairs.csv"), "w") as f:
        f.write("left,right,label\n")
        for a, b, y in zip(left, right, labels):
            f.write("%s,%s,%d\n" % (paths[a], paths[b], int(y)))

    # templates: images 0,1 and 2,3 of each identity; template pairs A_i-B_i and random A_i-B_j
    with open(os.path.join(OUT, "ijbc_face_tid_mid.txt"), "w") as f:
        for i, p in enumerate(paths):
            f.write("%s %d %d\n" % (p, 2 * (i // 2) + 1, i + 1))
    t_left, t_right = [], []
    for i in range(IDS):
        t_left.append(2 * i)
        t_right.append(2 * i + 1)
    while len(t_left) < 120:
        a, b = rng.integers(0, IDS, 2)
        if a != b and not any(2 * a == l and 2 * b + 1 == r for l, r in zip(t_left, t_right)):
            t_left.append(2 * int(a))
            t_right.append(2 * int(b) + 1)
    t_left, t_right = np.array(t_left), np.array(t_right)
    t_labels = (t_left // 2) == (t_right // 2)
    with open(os.path.join(OUT, "ijbc_template_pair_label.txt"), "w") as f:
        for a, b, y in zip(t_left, t_right, t_labels):
            f.write("%d %d %d\n" % (2 * a + 1, 2 * b + 1, int(y)))
    fused = [fuse("mean", emb[2 * t:2 * t + 2], sigma[2 * t:2 * t + 2]) for t in range(2 * IDS)]
    t_emb = np.array([e for e, _ in fused]).astype(np.float32)
    t_sig = np.array([u for _, u in fused]).astype(np.float32)

    golden = {"fars": FARS, "portions": PORTIONS, "dimension": D, "classifiers": {}}
    models = classifiers(rng)
    for kind, tensors, sectioned in models:
        write_weights(os.path.join(OUT, kind + ".h5"), tensors, "pair_classifier." if sectioned else "")
        same, unc = pair_values(logits(kind, tensors, emb[left], emb[right]))
        t_same, t_unc = pair_values(logits(kind, tensors, t_emb[t_left], t_emb[t_right]))
        cos, ml = cosine(emb[left], emb[right]), mls(emb[left], emb[right], sigma[left], sigma[right])
        t_cos, t_ml = (cosine(t_emb[t_left], t_emb[t_right]),
                       mls(t_emb[t_left], t_emb[t_right], t_sig[t_left], t_sig[t_right]))
        reject = curves({"classifier_classifier": (same, unc), "cosine_classifier": (cos, unc),
                         "MLS_classifier": (ml, unc)}, labels)
        fusion = curves({"mean_classifier_classifier": (t_same, t_unc), "mean_cosine_classifier": (t_cos, t_unc),
                         "mean_MLS_classifier": (t_ml, t_unc)}, t_labels)
        saturated = int((unc == 0).sum() + (t_unc == 0).sum())
        # rounding-level changes (PyTorch's or Swift's float32 order) must not reorder anything
        for name, (sc, un, ys, prob) in {"reject": (same, unc, labels, True), "reject cosine": (cos, unc, labels, False),
                                          "reject MLS": (ml, unc, labels, False), "fusion": (t_same, t_unc, t_labels, True),
                                          "fusion cosine": (t_cos, t_unc, t_labels, False),
                                          "fusion MLS": (t_ml, t_unc, t_labels, False)}.items():
            assert robust(sc, un, ys, prob), (kind, name)

        golden["classifiers"][kind] = {
            "file": kind + ".h5", "in_store": kind == "bilinear", "saturated": saturated,
            "same": clean(same), "uncertainty": clean(unc),
            "reject": reject, "fusion": fusion}
    write_store(os.path.join(OUT, "store.h5"), paths, emb, sigma, ("bilinear", models[1][1]))
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
