#!/usr/bin/env python3
"""Golden fixture for the InsightFace FAR rule (docs/metrics.md, "FAR rules: reference and
insightface"), computed with scikit-learn itself, the way InsightFace's eval_ijbc.py reads it:

    fpr, tpr, thr = sklearn.metrics.roc_curve(label, score)   # drop_intermediate=True
    fpr = np.flipud(fpr); tpr = np.flipud(tpr)
    index = min(zip(abs(fpr - target), range(len(fpr))))[1]

The point sklearn gives threshold `inf` (the prepended (0, 0)) is written as
`float(max score) + 1` (the project's convention) and flagged in "inf".

Run:  $(tools/pyenv.sh numpy scikit-learn) tools/golden/far_rule_golden.py
Writes Tests/AnalysisTests/Fixtures/far_rule.json. Scores and uncertainties are float32,
written as their shortest float32 decimal (checked to read back to the same float32 through
a float64 parse); undefined values (NaN) are written as null.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.metrics import roc_curve

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# the project's keep order and portions (docs/metrics.md "Reject curves"), with a pluggable rule
from analysis_golden import clean, f32_list, reject_curve  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "AnalysisTests", "Fixtures", "far_rule.json")
NAN = float("nan")


def insightface_points(scores, labels, fars):
    """(tar, far, threshold, inf) per FAR on one pair set. No negatives: all NaN (fpr is NaN);
    no positives: tar NaN (sklearn's tpr is NaN), far and threshold as sklearn gives them."""
    scores = np.asarray(scores, dtype=np.float32)
    labels = np.asarray(labels, dtype=bool)
    n = len(fars)
    if len(scores) == 0 or labels.all():
        return [NAN] * n, [NAN] * n, [NAN] * n, [False] * n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fpr, tpr, thr = roc_curve(labels.astype(np.int32), scores)
    fpr = np.flipud(fpr)
    tpr = np.flipud(tpr)
    thr = np.flipud(thr)
    tar, far, threshold, inf = [], [], [], []
    for target in fars:
        _, index = min(zip(abs(fpr - target), range(len(fpr))))
        tar.append(float(tpr[index]))
        far.append(float(fpr[index]))
        is_inf = bool(np.isinf(thr[index]))
        threshold.append(float(np.max(scores)) + 1.0 if is_inf else float(thr[index]))
        inf.append(is_inf)
    return tar, far, threshold, inf


FIXED_FARS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]


def case_fars(rng, negatives):
    """The fixed decades, FARs far below 1/negatives, points midway between two FPRs (exact
    distance ties), and random ones."""
    fars = list(FIXED_FARS) + [1.0, 0.3]
    fars += [(k + 0.5) / negatives for k in range(min(negatives, 3))]
    fars += [float(x) for x in rng.uniform(0, 1, 3)]
    return fars


def make_scores(rng, n, kind, positives):
    labels = np.zeros(n, dtype=bool)
    labels[rng.choice(n, positives, replace=False)] = True
    s = rng.normal(0, 1, n) + 1.5 * labels
    if kind == "round2":
        s = np.round(s * 0.3, 2)
    elif kind == "round1":
        s = np.round(s * 0.3, 1)
    elif kind == "integers":
        s = np.round(s)
    elif kind == "equal":
        s = np.full(n, 0.25)
    return s.astype(np.float32), labels


def main():
    rng = np.random.default_rng(20261202)
    cases = []
    sizes = [2, 3, 4, 7, 12, 30, 80, 200, 600, 1500]
    kinds = ["continuous", "round2", "round1", "integers", "equal"]
    for n in sizes:
        for kind in kinds:
            if kind in ("continuous", "equal") and n > 600:
                continue
            positives = int(rng.integers(1, n))      # both labels present
            s, y = make_scores(rng, n, kind, positives)
            fars = case_fars(rng, int((~y).sum()))
            tar, far, thr, inf = insightface_points(s, y, fars)
            cases.append(dict(name=f"{kind}-{n}", scores=f32_list(s), labels=y.astype(int).tolist(), fars=fars,
                              expected=dict(tar=tar, far=far, threshold=thr, inf=inf)))
    # a case where every middle point is collinear with equal steps (all dropped)
    s = np.array([5, 4, 3, 2, 1, 0], dtype=np.float32)
    y = np.array([True, False, True, False, True, False])
    fars = case_fars(rng, 3)
    tar, far, thr, inf = insightface_points(s, y, fars)
    cases.append(dict(name="alternating", scores=f32_list(s), labels=y.astype(int).tolist(), fars=fars,
                      expected=dict(tar=tar, far=far, threshold=thr, inf=inf)))

    reject = []
    for n, kind, mode in [(400, "round2", "uncertainty"), (400, "round2", "confidence"),
                          (1000, "continuous", "uncertainty"), (300, "integers", "confidence")]:
        s, y = make_scores(rng, n, kind, int(n * 0.3))
        unc = np.round(rng.uniform(0, 1, n) - 0.2 * y, 1).astype(np.float32)   # ties in the keep order
        portions = [float(x) for x in np.linspace(0, 0.9, 10)] + [0.995, 1.0]
        fars = [1e-4, 1e-3, 1e-2, 1e-1, 0.5]
        reject.append(dict(name=f"reject-{kind}-{mode}-{n}", mode=mode, scores=f32_list(s), labels=y.astype(int).tolist(),
                           uncertainty=f32_list(unc), fars=fars, portions=portions,
                           expected=reject_curve(s, unc, y, mode, fars, portions, points=insightface_points)))

    # a hand case (FARRuleGoldenTests.testHandComputedCase): two points at FPR 1/3 = the largest FAR
    s = np.array([0.9, 0.8, 0.7, 0.7, 0.95, 0.8, 0.6, 0.5, 0.4, 0.4], dtype=np.float32)
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
    unc = np.array([0.1, 0.2, 0.9, 0.3, 0.3, 0.1, 0.5, 0.2, 0.4, 0.6], dtype=np.float32)
    fars, portions = [0.2, 1 / 3], [0.0, 0.1, 0.3, 0.5]
    for mode in ("uncertainty", "confidence"):
        reject.append(dict(name=f"reject-hand-{mode}", mode=mode, scores=f32_list(s), labels=y.astype(int).tolist(),
                           uncertainty=f32_list(unc), fars=fars, portions=portions,
                           expected=reject_curve(s, unc, y, mode, fars, portions, points=insightface_points)))

    # four kept points at FPR 2/3 = the largest FAR: the walk must read past the first
    s = np.array([0.9, 0.5, 0.1, 0.6, 0.4, 0.35, 0.35, 0.3], dtype=np.float32)
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1], dtype=bool)
    unc = np.array([0.3, 0.1, 0.2, 0.2, 0.5, 0.1, 0.4, 0.3], dtype=np.float32)
    fars, portions = [0.2, 2 / 3], [0.0, 0.125, 0.25]
    reject.append(dict(name="reject-equal-fpr", mode="uncertainty", scores=f32_list(s), labels=y.astype(int).tolist(),
                       uncertainty=f32_list(unc), fars=fars, portions=portions,
                       expected=reject_curve(s, unc, y, "uncertainty", fars, portions, points=insightface_points)))

    doc = dict(sklearn=sklearn.__version__, numpy=np.__version__, cases=cases, reject=reject)
    text = json.dumps(clean(doc), separators=(",", ":"))
    with open(OUT, "w") as f:
        f.write(text + "\n")
    print(f"wrote {OUT}: {len(cases)} cases, {len(reject)} reject cases, {len(text)} bytes")


if __name__ == "__main__":
    main()
