#!/usr/bin/env python3
"""Golden fixture for the template protocols (docs/metrics.md, "Template versus single image",
"The biased-cosine bias of templates", "Template fusion"), written from those rules with plain
numpy; the fusion rules are analysis_golden.py's `fuse`.

Run:  $(tools/pyenv.sh numpy) tools/golden/protocols_golden.py
Writes Tests/AnalysisTests/Fixtures/protocols.json.

The 512-dimensional image embeddings and uncertainties are not stored: both this script and
the Swift test draw them from SplitMix64 (`uniform() = (next() >> 11) * 2^-53`), in this order:
for each identity c, for each dimension j: centre[c][j] = 2 uniform() - 1; for each image i,
for each dimension j: e[i][j] = float32(centre[id[i]][j] + 0.8 (2 uniform() - 1)); for each
image i, for each component c < k: u[i][c] = float32(0.3 + 0.9 uniform()). Each case restarts
the generator from its seed.
"""
import json
import os

import numpy as np

from analysis_golden import FUSIONS, OUT, Refused, clean, fuse, fuse_all, normalize, reject_curve, splitmix64, tar_at_far


def draw(seed, identities, ids, d, k):
    gen = splitmix64(seed)

    def uniform():
        return (next(gen) >> 11) * 2.0 ** -53

    centre = [[2 * uniform() - 1 for _ in range(d)] for _ in range(identities)]
    e = np.array([[centre[c][j] + 0.8 * (2 * uniform() - 1) for j in range(d)] for c in ids], dtype=np.float32)
    u = np.array([[0.3 + 0.9 * uniform() for _ in range(k)] for _ in ids], dtype=np.float32)
    return e, u


def cos_of(a, b):
    return np.sum(normalize(a) * normalize(b), 1)


def single_sides(method, e, u, offsets, members, left, right):
    """Enrolment rows fused with `method`, verification rows with `first` (None when refused)."""
    r = fuse_all(method, e, u, offsets, members)
    if r is None:
        return None
    fe, fu = fuse_all("first", e, u, offsets, members)
    return r[0][left], (None if r[1] is None else r[1][left]), fe[right], fu[right]


def pair_values(x1, s1, x2, s2, bias):
    """The scores and ranking uncertainties the test checks; s1 is the enrolment side's real value."""
    x1, x2 = x1.astype(np.float64), x2.astype(np.float64)
    n1, n2 = normalize(x1), normalize(x2)
    cos = np.sum(n1 * n2, 1)
    out = {"cosine": cos}
    if s1 is None:
        return out, None
    s1, s2 = s1.astype(np.float32).astype(np.float64), s2.astype(np.float32).astype(np.float64)
    S = s1 + s2
    out["MLS"] = -np.sum((n1 - n2) ** 2 / S + np.log(S) * np.ones_like(n1), axis=1)
    if s1.shape[1] == 1:
        a, b = np.sqrt(s1[:, 0]), np.sqrt(s2[:, 0])
        out["scale-sqrt-harmonic-biased-cosine"] = (cos - bias) * a * b / (a + b)
    else:
        a, b = np.mean(1 / s1, 1), np.mean(1 / s2, 1)
        out["pfe-mul-cosine"] = cos * a * b
    ones = np.ones_like(s1)                     # equal_uncertainty_enroll: after scoring
    k = s1.shape[1]
    ub1, ub2 = (ones * np.ones_like(n1), s2 * np.ones_like(n2)) if k == 1 else (ones, s2)
    unc = {
        "mean": ones.sum(1) + s2.sum(1),
        "harmonic-harmonic": 2 * k / (np.sum(1 / ones, 1) + np.sum(1 / s2, 1)),
        "cosine-analytic": np.sum(ub1 * ub2 + x1 ** 2 * ub2 + x2 ** 2 * ub1, 1),
    }
    return out, unc


def bias_of(cos, labels):
    return (cos[labels].mean() + cos[~labels].mean()) / 2


def single_case(name, k, seed):
    d, identities, n_t = 512, 8, 48
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 5, n_t)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    tid = rng.integers(0, identities, n_t)
    ids = np.repeat(tid, sizes)
    members = rng.permutation(len(ids))          # image row of each template member
    img_ids = np.empty(len(ids), dtype=np.int64)
    img_ids[members] = ids                        # identity per image row
    e, u = draw(seed, identities, img_ids.tolist(), d, k)
    # every template is a verification side exactly once (no ties in the rejection order);
    # templates 0..23 are also enrolment sides, so most templates appear on both sides
    right = rng.permutation(n_t)
    left = rng.integers(0, 24, n_t)
    left[0] = right[0]                            # a template against itself
    labels = tid[left] == tid[right]
    assert 0 < labels.sum() < n_t
    # validation protocol: other templates over the same images
    vsizes = rng.integers(1, 4, 30)
    voffsets = np.concatenate([[0], np.cumsum(vsizes)])
    vmembers = rng.integers(0, len(ids), voffsets[-1])
    vtid = img_ids[vmembers[voffsets[:-1]]]
    vleft, vright = rng.integers(0, 30, 60), rng.integers(0, 30, 60)
    vlabels = vtid[vleft] == vtid[vright]
    assert 0 < vlabels.sum() < 60
    fars, portions = [0.1, 0.3], list(np.linspace(0, 0.5, 6))
    bias = 0.26
    out = {}
    for m in FUSIONS:
        if m in ("random", "media-mean"):
            continue                              # their own tests (seeded draws, media ids)
        s = single_sides(m, e, u, offsets, members, left, right)
        if s is None:
            out[m] = dict(error=True)
            continue
        scores, unc = pair_values(*s, bias)
        entry = dict(scores=scores)
        gaps = np.diff(np.unique(scores["cosine"].astype(np.float32)))
        assert gaps.min() > 1e-6, (name, m, "near-tied scores; change the seed")
        if unc is not None:
            entry["uncertainties"] = unc
            entry["reject"] = reject_curve(scores["cosine"].astype(np.float32), unc["mean"].astype(np.float32),
                                           labels, "confidence", fars, portions)
        # the bias of this fusion on the validation protocol, in both setups
        vs = single_sides(m, e, u, voffsets, vmembers, vleft, vright)
        vf = fuse_all(m, e, u, voffsets, vmembers)
        entry["bias_single"] = bias_of(cos_of(vs[0], vs[2]), vlabels)
        entry["bias_full"] = bias_of(cos_of(vf[0][vleft], vf[0][vright]), vlabels)
        out[m] = entry
    return dict(name=name, seed=seed, dimension=d, width=k, identities=identities, image_identities=img_ids,
                offsets=offsets, members=members, left=left, right=right, labels=labels,
                val_offsets=voffsets, val_members=vmembers, val_left=vleft, val_right=vright, val_labels=vlabels,
                fars=fars, portions=portions, bias=bias, fused=out)


def argmax_flat_case():
    """The template script's argmax on a (n, k) uncertainty: numpy's flat index used as an
    image index. Row 0, column 2 holds the maximum, so the flat index 2 picks image 2."""
    e = np.array([[1, 2, 3, 4], [0, 1, 0, 1], [5, -1, 2, 0]], dtype=np.float32)
    u = np.array([[0.5, 0.1, 9.0, 0.2], [1.0, 2.0, 3.0, 4.0], [0.7, 0.6, 0.5, 0.4]], dtype=np.float32)
    fe, fu = fuse("argmax", e, u)
    return dict(embeddings=e.ravel(), uncertainty=u.ravel(), dimension=4, fused_embedding=fe, fused_uncertainty=fu)


def main():
    fixture = dict(single=[single_case("scalar", 1, 11), single_case("vector", 512, 12)],
                   argmax_flat=argmax_flat_case())
    with open(os.path.join(OUT, "protocols.json"), "w") as f:
        json.dump(clean(fixture), f, separators=(",", ":"))
    print("wrote protocols.json")


if __name__ == "__main__":
    main()
