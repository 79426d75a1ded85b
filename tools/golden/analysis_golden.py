#!/usr/bin/env python3
"""Golden fixtures for Tests/AnalysisTests, written from docs/metrics.md
with plain numpy (no code of the Swift implementation is used).

Run:  $(tools/pyenv.sh numpy) tools/golden/analysis_golden.py
Writes Tests/AnalysisTests/Fixtures/{reject,scores,fusion}.json. Floats are written with
Python's repr, so float32 inputs round-trip exactly; NaN (undefined points) is written as null.
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "AnalysisTests", "Fixtures")


def clean(x):
    """numpy values -> JSON-able Python values, NaN -> None."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return None if math.isnan(x) else x
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    return x


def f32_list(values):
    """float32 values as Python floats of their shortest float32 decimal."""
    out = []
    for v in np.asarray(values, dtype=np.float32):
        short = float(str(v))
        assert np.float32(short) == v, (v, short)
        out.append(short)
    return out


# ---------------------------------------------------------------- section 6 and 7

def tar_at_far(scores, labels, fars):
    """Section 6, literally: thresholds from the descending negatives, accept score >= t.
    Returns (tar, far, threshold) lists; undefined -> nan (no negatives: all; no positives: tar)."""
    scores = np.asarray(scores, dtype=np.float32)
    labels = np.asarray(labels, dtype=bool)
    pos = scores[labels].astype(np.float64)
    neg_desc = np.sort(scores[~labels])[::-1]
    out = ([], [], [])
    for far in fars:
        if len(neg_desc) == 0:
            out[0].append(float("nan")); out[1].append(float("nan")); out[2].append(float("nan"))
            continue
        k = int(np.round(len(neg_desc) * far))
        # k == 0: neg[0] + 1e-8 is added and compared in float32, as numpy does (docs/metrics.md)
        t = float(neg_desc[0] + 1e-8) if k == 0 else float(neg_desc[k - 1])
        if k == 0:
            assert np.float32(t) == np.float32(float(neg_desc[0]) + 1e-8)
        out[0].append(float(np.sum(pos >= t)) / len(pos) if len(pos) else float("nan"))
        out[1].append(float(np.sum(neg_desc.astype(np.float64) >= t)) / len(neg_desc))
        out[2].append(t)
    return out


def reject_curve(scores, unc, labels, mode, fars, portions, points=tar_at_far):
    """Section 7 with a stable sort (scaleface's `--tie-order stable`; the reference order is
    numpy's default argsort, tools/golden/curves_golden.py); confidence = the reversed
    stable ascending order. `points`
    gives (tar, far, threshold, ...) lists on the kept pairs (default: section 6)."""
    n = len(scores)
    order = np.argsort(np.asarray(unc, dtype=np.float32), kind="stable")
    if mode == "confidence":
        order = order[::-1]
    scores = np.asarray(scores, dtype=np.float32)
    labels = np.asarray(labels, dtype=bool)
    tar = [[None] * len(portions) for _ in fars]
    far = [[None] * len(portions) for _ in fars]
    thr = [[None] * len(portions) for _ in fars]
    kept = []
    for p, r in enumerate(portions):
        keep = int(math.floor(n * (1 - r)))
        kept.append(keep)
        idx = order[:keep]
        t, f, h = points(scores[idx], labels[idx], fars)[:3]
        for i in range(len(fars)):
            tar[i][p], far[i][p], thr[i][p] = t[i], f[i], h[i]
    auc = [float(np.trapz(np.array(row), np.array(portions))) if hasattr(np, "trapz")
           else float(np.trapezoid(np.array(row), np.array(portions))) for row in tar]
    return dict(tar=tar, far=far, threshold=thr, auc=auc, kept=kept)


def reject_cases(rng):
    cases = []
    fars_small = [1e-3, 0.05, 0.1, 0.25, 0.5, 1.0]     # 1e-3 gives k == 0
    for name, n, quant, mode in [("ties-uncertainty", 60, 0.05, "uncertainty"),
                                 ("ties-confidence", 60, 0.05, "confidence"),
                                 ("distinct-uncertainty", 400, None, "uncertainty"),
                                 ("distinct-confidence", 400, None, "confidence")]:
        labels = rng.random(n) < 0.35
        scores = rng.normal(0.2, 0.2, n) + 0.4 * labels
        unc = rng.random(n) * 3
        if quant:
            scores = np.round(scores / quant) * quant
            unc = np.round(unc * 4) / 4          # heavy ties in the keep order
        scores = scores.astype(np.float32)
        unc = unc.astype(np.float32)
        portions = list(np.linspace(0, 0.5, 25)) + [0.9, 0.97, 1.0]   # tiny and empty kept sets
        cases.append(dict(name=name, mode=mode, scores=scores, uncertainty=unc, labels=labels,
                          fars=fars_small, portions=portions,
                          expected=reject_curve(scores, unc, labels, mode, fars_small, portions)))
    # numpy's linspace values, for the a:b:n parser
    lin = dict(start=0.0, stop=0.5, num=250, values=np.linspace(0, 0.5, 250))
    return dict(cases=cases, linspace=lin)


# ---------------------------------------------------------------- sections 4 and 5

def normalize(x):
    x = np.asarray(x, dtype=np.float64)
    return x / (1e-8 + np.linalg.norm(x, axis=-1, keepdims=True))


def hm(x):
    return 1.0 / np.mean(1.0 / x, axis=-1)


def pair_scores(e, u, left, right, labels, bias):
    """Every section 4 score for pairs (left[i], right[i]) of rows of e, u ([n, k])."""
    e1, e2 = e[left].astype(np.float64), e[right].astype(np.float64)
    u1, u2 = u[left].astype(np.float64), u[right].astype(np.float64)
    n1, n2 = normalize(e1), normalize(e2)
    cos = np.sum(n1 * n2, axis=1)
    out = {"cosine": cos, "euc": -np.sum((e1 - e2) ** 2, axis=1)}
    centered = (cos - cos.mean()) / cos.std()
    biased = cos - bias
    out["centered-cosine"] = centered
    out["biased-cosine"] = biased
    S = u1 + u2                                          # broadcasts when k == 1
    out["MLS"] = -np.sum((n1 - n2) ** 2 / S + np.log(S) * np.ones_like(n1), axis=1)
    bases = {"cosine": cos, "centered-cosine": centered, "biased-cosine": biased}
    sources = {"pfe": (1.0 / hm(u1), 1.0 / hm(u2))}
    if u.shape[1] == 1:
        sources["scale"] = (u1[:, 0], u2[:, 0])
    for src, (a, b) in sources.items():
        combos = {"mul": a * b, "harmonic": a * b / (a + b),
                  "sqrt-mul": np.sqrt(a) * np.sqrt(b),
                  "sqrt-harmonic": np.sqrt(a) * np.sqrt(b) / (np.sqrt(a) + np.sqrt(b))}
        for cname, f in combos.items():
            for bname, c in bases.items():
                out[f"{src}-{cname}-{bname}"] = c * f
    return out


def pair_uncertainties(e, u, left, right, labels):
    r1, r2 = e[left].astype(np.float64), e[right].astype(np.float64)
    e1, e2 = normalize(r1), normalize(r2)
    u1, u2 = u[left].astype(np.float64), u[right].astype(np.float64)
    cos = np.sum(e1 * e2, axis=1)
    y = np.where(labels, 1.0, -1.0)
    ub1, ub2 = u1 * np.ones_like(e1) if u.shape[1] == 1 else u1, u2 * np.ones_like(e2) if u.shape[1] == 1 else u2
    return {
        "mean": u1.sum(1) + u2.sum(1),
        "squared-sum": u1.sum(1) ** 2 + u2.sum(1) ** 2,
        "mul": np.prod(u1, 1) * np.prod(u2, 1),
        "harmonic-sum": hm(u1) + hm(u2),
        "harmonic-mul": hm(u1) * hm(u2),
        "harmonic-harmonic": hm(np.concatenate([u1, u2], 1)),
        "squared-harmonic": hm(np.concatenate([u1 ** 2, u2 ** 2], 1)),
        "cosine-analytic": np.sum(ub1 * ub2 + r1 ** 2 * ub2 + r2 ** 2 * ub1, 1),       # raw embeddings
        "cosine-analytic-normalized": np.sum(ub1 * ub2 + e1 ** 2 * ub2 + e2 ** 2 * ub1, 1),
        "min": np.minimum(u1.sum(1), u2.sum(1)),
        "similarity": cos,
        "perfect": y * (cos - cos.mean()),
    }


def score_cases(rng):
    cases = []
    for name, n_img, d, k in [("scalar", 12, 8, 1), ("vector", 10, 512, 512)]:
        e = rng.normal(0, 1, (n_img, d)).astype(np.float32) * rng.uniform(0.5, 3, (n_img, 1)).astype(np.float32)
        u = rng.uniform(0.3, 1.2, (n_img, k)).astype(np.float32)   # products of 512 stay finite
        left = rng.integers(0, n_img, 30)
        right = rng.integers(0, n_img, 30)
        labels = rng.random(30) < 0.5
        labels[0], labels[1] = True, False
        # validation pairs for the biased-cosine bias
        vl, vr = rng.integers(0, n_img, 10), rng.integers(0, n_img, 10)
        vy = np.array([True, False] * 5)
        vcos = np.sum(normalize(e[vl]) * normalize(e[vr]), 1)
        bias = (vcos[vy].mean() + vcos[~vy].mean()) / 2
        cases.append(dict(name=name, dimension=d, width=k, embeddings=e.ravel(), uncertainty=u.ravel(),
                          left=left, right=right, labels=labels,
                          val_left=vl, val_right=vr, val_labels=vy, bias=bias,
                          scores=pair_scores(e, u, left, right, labels, bias),
                          uncertainties=pair_uncertainties(e, u, left, right, labels)))
    return dict(cases=cases)


# ---------------------------------------------------------------- section 8

def softmax(x):
    z = np.exp(x - np.max(x, axis=0, keepdims=True))
    return z / z.sum(axis=0, keepdims=True)


def splitmix64(seed):
    mask = (1 << 64) - 1
    state = seed & mask
    while True:
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        yield z ^ (z >> 31)


class Refused(Exception):
    """The reference raises for this input (numpy IndexError); scaleface refuses it."""


def fuse(method, E, U, media=None, det=None, pick=None):
    """One template: E [n, d] raw embeddings in template order, U [n, k]. Returns (embedding,
    uncertainty or None); raises Refused where the reference raises."""
    E = E.astype(np.float64)
    U = U.astype(np.float64)
    n, d = E.shape
    k = U.shape[1]
    Ud = U if k == d else np.repeat(U, d, axis=1)       # the weight of each embedding dimension
    a = U[:, 0]                                         # the template script weights by column 0
    # ---- the template script (template_reject_verification.py aggregate_templates)
    if method == "first":
        return normalize(E[0]), U[0]
    if method in ("mean", "stat-mean"):
        f = np.sqrt(n) if method == "stat-mean" else 1.0
        return normalize(E.mean(0)), U.mean(0) * f
    if method == "PFE":                                 # also fusion.py's (the same function)
        w = (1 / Ud) / (1 / Ud).sum(0)
        return normalize((w * E).sum(0)), U.min(0)
    if method == "argmax":
        idx = int(np.argmax(U))                         # flattened, first occurrence
        if idx >= n:
            raise Refused(method)
        return E[idx], U[idx]
    if method == "stat-softmax":
        w = softmax(a)
        return normalize(w @ E), (w @ U) * np.sqrt(n)
    if method.startswith("softmax"):
        T = float(method.split("-", 1)[1]) if "-" in method else 1.0
        w = softmax(a / T)
        return normalize(w @ E), w @ U
    if method == "weighted":
        w = a / a.sum()
        En = E / (1e-8 + np.linalg.norm(E))             # Frobenius norm of the whole template
        return normalize(w @ En), w @ U
    if method in ("weighted-softmax",) or (method.startswith("weighted-softmax-") and "dim" not in method):
        T = float(method[len("weighted-softmax-"):]) if method != "weighted-softmax" else 1.0
        w = a / a.sum()
        return normalize(w @ E), softmax(a / T) @ U
    # ---- fusion.py (aggregation.py)
    if method == "min":
        if k != d:
            raise Refused(method)
        best = U.argmin(0)
        return normalize(E[best, np.arange(d)]), U[best, np.arange(d)]
    if method == "mean-no-uncertainty":
        return normalize(E.mean(0)), None
    if method.startswith("dim-softmax-"):
        T = float(method[len("dim-softmax-"):])
        W = np.exp(T * U - (T * U).max(1, keepdims=True))
        W = W / W.sum(1, keepdims=True)                 # per image, over the k columns (k = 1: all 1)
        return normalize((W * E).sum(0)), None
    if method == "random":
        return normalize(E[pick]), None
    # ---- scaleface's per-component variants
    if method in ("min-raw", "argmax-dim"):
        best = U.argmin(0) if method == "min-raw" else U.argmax(0)   # first occurrence on ties
        bd = best if k == d else np.repeat(best, d)
        return E[bd, np.arange(d)], U[best, np.arange(k)]
    if method == "stat-softmax-dim":
        w = softmax(U)
        wd = w if k == d else np.repeat(w, d, axis=1)
        return normalize((wd * E).sum(0)), (w * U).sum(0) * np.sqrt(n)
    if method == "weighted-dim":
        w = U / U.sum(0)
        wd = w if k == d else np.repeat(w, d, axis=1)
        return normalize((wd * E).sum(0)), (w * U).sum(0)
    if method.startswith("weighted-softmax-dim"):
        rest = method[len("weighted-softmax-dim"):]
        T = float(rest[1:]) if rest else 1.0
        w = U / U.sum(0)
        wd = w if k == d else np.repeat(w, d, axis=1)
        return (wd * E).sum(0), (softmax(U / T) * U).sum(0)
    # ---- InsightFace
    if method == "media-mean":
        w = np.ones(n) if det is None else det.astype(np.float64)
        acc = np.zeros(d)
        for m in sorted(set(media.tolist())):
            sel = media == m
            acc += (E[sel] * w[sel, None]).mean(0)
        return normalize(acc), U.mean(0)
    raise ValueError(method)


FUSIONS = ["first", "mean", "stat-mean", "PFE", "argmax", "softmax", "softmax-0.5", "stat-softmax",
           "weighted", "weighted-softmax", "weighted-softmax-2",
           "min", "random", "mean-no-uncertainty", "dim-softmax-3",
           "min-raw", "argmax-dim", "stat-softmax-dim", "weighted-dim", "weighted-softmax-dim",
           "weighted-softmax-dim-2", "media-mean"]


def fuse_all(method, e, u, offsets, members, media=None, det=None, picks=None):
    """Every template of (offsets, members); {"error": ...} when the reference raises."""
    te, tu = [], []
    try:
        for t in range(len(offsets) - 1):
            rows = members[offsets[t]:offsets[t + 1]]
            fe, fu = fuse(method, e[rows], u[rows], media=None if media is None else media[rows],
                          det=None if det is None else det[rows], pick=None if picks is None else picks[t])
            te.append(fe)
            tu.append(fu)
    except Refused:
        return None
    return np.array(te), None if tu[0] is None else np.array(tu)


def fusion_cases(rng):
    cases = []
    for name, n_img, d, k in [("scalar", 40, 8, 1), ("vector", 40, 16, 16)]:
        e = rng.normal(0, 1, (n_img, d)).astype(np.float32)
        u = rng.uniform(0.2, 2.0, (n_img, k)).astype(np.float32)
        if k == 1:
            u[3] = u[4]          # a tie inside a template (min / argmax take the first)
        media = rng.integers(0, 3, n_img).astype(np.int32)
        det = rng.uniform(0.5, 1.0, n_img).astype(np.float32)
        sizes = [1, 2, 3, 5, 4, 1, 6, 2, 3, 4, 2, 3, 4]
        assert sum(sizes) <= n_img
        members = rng.permutation(n_img)[:sum(sizes)]
        members[sizes[0] + 0], members[sizes[0] + 1] = 3, 4     # template 1 holds the tied pair
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        seed = 7
        gen = splitmix64(seed)
        picks = [next(gen) % s for s in sizes]
        out = {}
        for m in FUSIONS:
            r = fuse_all(m, e, u, offsets, members, media=media, det=det if m == "media-mean" else None, picks=picks)
            out[m] = dict(error=True) if r is None else dict(
                embeddings=r[0].ravel(), uncertainty=None if r[1] is None else r[1].ravel())
        cases.append(dict(name=name, dimension=d, width=k, embeddings=e.ravel(), uncertainty=u.ravel(),
                          media=media, detector_scores=det, offsets=offsets, members=members, seed=seed,
                          fused=out))
    return dict(cases=cases)


def template_verification(rng):
    """Mean fusion then cosine / reject over template pairs, scores written for exact TAR checks."""
    n_img, d, n_t = 300, 32, 60
    ident = rng.integers(0, 12, n_t)
    centers = rng.normal(0, 1, (12, d))
    sizes = rng.integers(1, 6, n_t)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    e = np.concatenate([centers[ident[t]] + rng.normal(0, 1.0, (sizes[t], d)) for t in range(n_t)]).astype(np.float32)
    u = rng.uniform(0.5, 2.0, (len(e), 1)).astype(np.float32)
    members = np.arange(len(e))
    te = np.array([normalize(e[offsets[t]:offsets[t + 1]].astype(np.float64).mean(0)) for t in range(n_t)])
    tu = np.array([u[offsets[t]:offsets[t + 1]].astype(np.float64).mean(0) for t in range(n_t)])
    # enrollment templates are 0..29, verification 30..59
    left = np.repeat(np.arange(30), 30)
    right = np.tile(np.arange(30, 60), 30)
    labels = ident[left] == ident[right]
    cos = np.sum(te[left] * te[right], 1).astype(np.float32)
    gaps = np.diff(np.unique(cos))
    assert gaps.min() > 1e-6, "near-tied template scores; change the seed"
    fars = [1e-3, 1e-2, 0.1, 0.3]
    ver = tar_at_far(cos, labels, fars)
    unc = (tu[left, 0] + tu[right, 0]).astype(np.float32)          # mean_cosine_mean
    # template versus single image: enrolment mean-fused, verification first-fused, and the
    # enrolment uncertainty 1 in the pair uncertainty only
    tf = np.array([normalize(e[offsets[t]].astype(np.float64)) for t in range(n_t)])
    cos_single = np.sum(te[left] * tf[right], 1).astype(np.float32)
    assert np.diff(np.unique(cos_single)).min() > 1e-6, "near-tied template scores; change the seed"
    eq = (1.0 + u[offsets[right], 0].astype(np.float64)).astype(np.float32)
    ver_single = tar_at_far(cos_single, labels, fars)
    portions = list(np.linspace(0, 0.5, 11))
    return dict(embeddings=e.ravel(), dimension=d, uncertainty=u.ravel(), offsets=offsets, members=members,
                left=left, right=right, labels=labels, fars=fars, portions=portions,
                template_embeddings=te.ravel(), cosines=cos, pair_uncertainty=unc,
                verification=dict(tar=ver[0], far=ver[1], threshold=ver[2]),
                reject=reject_curve(cos, unc, labels, "uncertainty", fars, portions),
                verification_single=dict(tar=ver_single[0], far=ver_single[1], threshold=ver_single[2]),
                cosines_single=cos_single,
                reject_equal_enroll=reject_curve(cos_single, eq, labels, "uncertainty", fars, portions))


def main():
    rng = np.random.default_rng(20260522)
    os.makedirs(OUT, exist_ok=True)
    fixtures = {"reject.json": reject_cases(rng), "scores.json": score_cases(rng),
                "fusion.json": dict(fusion_cases(rng), templates=template_verification(rng))}
    for name, obj in fixtures.items():
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(clean(obj), f, separators=(",", ":"))
        print("wrote", name)


if __name__ == "__main__":
    main()
