#!/usr/bin/env python3
"""Golden fixtures for the reference protocols of docs/metrics.md and docs/protocols.md:
numpy's argsort tie order ("Tie order"), the reference FAR rule at small FARs (k = 0 and
k = 1, "TAR@FAR"), reject curves in numpy's order, the cross rule and its normalised AUC
("Cross rule"), seq and arange portion grids ("Rejected portions"), LFW 10-fold accuracy and
the CPLFW / CALFW pair file split (docs/protocols.md). Every expected value is computed here
from the documented formulas with numpy, literally as the reference writes them.

numpy's argsort dispatches to SIMD sorts (AVX2/AVX-512) whose tie order differs from the
scalar introsort of the reference's NumPy < 1.24 era; the script disables that dispatch
before importing numpy and checks numpy against its own port of the introsort.

Run:  $(tools/pyenv.sh numpy) tools/golden/curves_golden.py
Writes Tests/AnalysisTests/Fixtures/curves.json (NaN written as null).
"""
import json
import math
import os
import subprocess
import sys

os.environ["NPY_DISABLE_CPU_FEATURES"] = "X86_V3 X86_V4 AVX2 AVX512F AVX512_SKX AVX512_ICL AVX512_SPR"
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analysis_golden import clean, f32_list as f32  # noqa: E402



OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "AnalysisTests", "Fixtures", "curves.json")
# ---------------------------------------------------------------- Appendix: numpy's argsort

def np_less(a, b):
    return a < b or (b != b and a == a)
HEAP_CALLS = [0]


def heapsort(v, idx, lo, m):
    HEAP_CALLS[0] += 1
    base = lo - 1
    def sift(tmp, i, m):
        j = 2 * i
        while j <= m:
            if j < m and np_less(v[idx[base + j]], v[idx[base + j + 1]]): j += 1
            if np_less(v[tmp], v[idx[base + j]]):
                idx[base + i] = idx[base + j]; i = j; j += j
            else: break
        idx[base + i] = tmp
    for l in range(m >> 1, 0, -1): sift(idx[base + l], l, m)
    while m > 1:
        tmp = idx[base + m]; idx[base + m] = idx[base + 1]; m -= 1; sift(tmp, 1, m)
def argsort_quick(v):
    n = len(v); idx = list(range(n))
    if n < 2: return idx
    stack = []; lo, hi = 0, n - 1; depth = 2 * (n.bit_length() - 1)
    while True:
        if depth < 0:
            heapsort(v, idx, lo, hi - lo + 1)
        else:
            while hi - lo > 15:
                mid = lo + ((hi - lo) >> 1)
                if np_less(v[idx[mid]], v[idx[lo]]): idx[mid], idx[lo] = idx[lo], idx[mid]
                if np_less(v[idx[hi]], v[idx[mid]]): idx[hi], idx[mid] = idx[mid], idx[hi]
                if np_less(v[idx[mid]], v[idx[lo]]): idx[mid], idx[lo] = idx[lo], idx[mid]
                pivot = v[idx[mid]]; i, j = lo, hi - 1
                idx[mid], idx[j] = idx[j], idx[mid]
                while True:
                    i += 1
                    while np_less(v[idx[i]], pivot): i += 1
                    j -= 1
                    while np_less(pivot, v[idx[j]]): j -= 1
                    if i >= j: break
                    idx[i], idx[j] = idx[j], idx[i]
                idx[i], idx[hi - 1] = idx[hi - 1], idx[i]
                depth -= 1
                if i - lo < hi - i: stack.append((i + 1, hi, depth)); hi = i - 1
                else: stack.append((lo, i - 1, depth)); lo = i + 1
            for p in range(lo + 1, hi + 1):
                t = idx[p]; q = p
                while q > lo and np_less(v[t], v[idx[q - 1]]):
                    idx[q] = idx[q - 1]; q -= 1
                idx[q] = t
        if not stack: return idx
        lo, hi, depth = stack.pop()


def adversary(n):
    """McIlroy's 'killer adversary' against the introsort above: values that drive the
    quicksort to depth exhaustion, so the heapsort branch is exercised."""
    gas = n
    val = [gas] * n
    state = {"solid": 0, "candidate": 0}

    def freeze(x):
        val[x] = state["solid"]
        state["solid"] += 1

    class Lazy:
        def __init__(self, i):
            self.i = i

        def __lt__(self, other):
            x, y = self.i, other.i
            if val[x] == gas and val[y] == gas:
                freeze(x if x == state["candidate"] else y)
            if val[x] == gas:
                state["candidate"] = x
            elif val[y] == gas:
                state["candidate"] = y
            return val[x] < val[y]

        def __ne__(self, other):
            return self.i != other.i and val[self.i] != val[other.i]

        def __eq__(self, other):
            return not self.__ne__(other)

    items = [Lazy(i) for i in range(n)]
    argsort_quick(items)
    return [float(v) for v in val]


def argsort_cases(rng):
    cases = []
    for n in [2, 5, 16, 17, 33, 100, 1000]:
        for dt, name in [(np.float32, "float32"), (np.float64, "float64")]:
            v = (np.round(rng.random(n) * 8) / 4).astype(dt)
            expected = np.argsort(v)           # kind='quicksort', the default
            assert expected.tolist() == argsort_quick(v.tolist()), "numpy's argsort is not the scalar introsort"
            cases.append(dict(name=f"ties-{n}-{name}", dtype=name, values=v, order=expected))
    v = np.array(adversary(600), dtype=np.float64)
    HEAP_CALLS[0] = 0
    port = argsort_quick(v.tolist())
    assert HEAP_CALLS[0] > 0, "the adversary did not reach the heapsort"
    expected = np.argsort(v)
    assert expected.tolist() == port
    cases.append(dict(name="adversary-600-heapsort", dtype="float64", values=v, order=expected))
    return cases


# ---------------------------------------------------------------- the reference FAR rule

def roc_reference(score, labels, fars):
    """face_lib/utils/metrics.py ROC, literally: float32 scores, neg sorted descending,
    k = np.round(len(neg) * far) as int32, k == 0 -> neg[0] + 1e-8 (float32 in NumPy 2 and,
    by value-based casting, in the comparison of NumPy 1.x), accept = score >= thr."""
    score = np.asarray(score, dtype=np.float32)
    labels = np.asarray(labels, dtype=bool)
    neg = np.sort(score[~labels])[::-1]
    tars, achieved, thresholds = [], [], []
    for far in fars:
        k = int(np.round(len(neg) * far).astype(np.int32))
        if k == 0:
            thr = neg[0] + 1e-8
            assert thr.dtype == np.float32
            # NumPy 1.x: the float64 sum, compared against the float32 array as float32
            assert np.float32(float(neg[0]) + 1e-8) == thr
        else:
            thr = neg[k - 1]
        accept = score >= thr
        tars.append(float(np.mean(accept[labels])) if labels.any() else float("nan"))
        achieved.append(float(np.mean(accept[~labels])))
        thresholds.append(float(thr))
    return tars, achieved, thresholds


def small_far_cases(rng):
    cases = []
    # top impostor >= 0.25: neg[0] + 1e-8 == neg[0] in float32; below 0.25 it is one ulp up
    for name, top in [("top-0.6", 0.6), ("top-0.3", 0.3), ("top-0.2", 0.2), ("top-minus-0.4", -0.4)]:
        negatives = 7824 if name == "top-0.6" else 1000
        neg = rng.uniform(top - 0.5, top, negatives).astype(np.float32)
        neg[rng.integers(negatives)] = np.float32(top)
        neg[rng.integers(negatives)] = np.float32(top)          # two impostors tie at the top
        pos = np.concatenate([rng.uniform(top - 0.2, top + 0.3, 300), [top, top]]).astype(np.float32)
        score = np.concatenate([neg, pos])
        labels = np.concatenate([np.zeros(negatives, bool), np.ones(len(pos), bool)])
        perm = rng.permutation(len(score))
        score, labels = score[perm], labels[perm]
        fars = [1e-5, 1e-4, 4e-4, 6e-4, 1.5e-3, 1e-3, 1e-2]
        tar, far, thr = roc_reference(score, labels, fars)
        cases.append(dict(name=name, scores=f32(score), labels=labels, fars=fars,
                          k=[int(np.round(negatives * f)) for f in fars], tar=tar, far=far, threshold=thr))
    return cases


def rejected_tar_far(score, unc, labels, mode, fars, portions):
    """reject_verification.py get_rejected_tar_far, literally (numpy's argsort)."""
    order = np.argsort(unc)
    score, labels = score[order], labels[order]
    if mode == "confidence":
        score, labels = score[::-1], labels[::-1]
    table = {i: [] for i in range(len(fars))}
    kept = []
    for p in portions:
        keep = int(len(score) * (1.0 - p))
        kept.append(keep)
        s, y = score[:keep], labels[:keep]
        if keep == 0 or y.all():
            t = [float("nan")] * len(fars)
        else:
            t = roc_reference(s, y, fars)[0]
        for i in range(len(fars)):
            table[i].append(t[i])
    auc = [float(np.trapezoid(table[i], portions)) for i in range(len(fars))]
    return dict(kept=kept, tar=[table[i] for i in range(len(fars))], auc=auc)


def reference_reject_cases(rng):
    cases = []
    for name, n, mode in [("ties-uncertainty", 700, "uncertainty"), ("ties-confidence", 700, "confidence")]:
        labels = rng.random(n) < 0.4
        score = (np.round((rng.normal(0.2, 0.2, n) + 0.4 * labels) * 40) / 40).astype(np.float32)
        unc = (np.round(rng.random(n) * 12) / 4).astype(np.float32)      # heavy ties in the order
        portions = np.array([float(x) for x in subprocess.run(["seq", "0", "0.02", "0.5"], capture_output=True,
                                                               text=True, check=True).stdout.split()])
        fars = [1e-3, 0.01, 0.1]
        cases.append(dict(name=name, mode=mode, scores=f32(score), uncertainty=f32(unc), labels=labels, fars=fars,
                          portions=portions, expected=rejected_tar_far(score, unc, labels, mode, fars, portions)))
    return cases


# ---------------------------------------------------------------- cross.py

def cross_tar_at_far(similarities, labels, far):
    false_similarities = similarities[labels == 0]
    allowed_fail_num = int(len(false_similarities) * far)
    threshold = -np.sort(-false_similarities)[allowed_fail_num]
    true_similarity = similarities[labels == 1]
    return np.mean(true_similarity > threshold)


def cross_cases(rng):
    cases = []
    for name, n in [("cross-ties", 900), ("cross-100", 100)]:
        labels = (rng.random(n) < 0.5).astype(np.int64)
        sim32 = (np.round((rng.normal(0.25, 0.15, n) + 0.35 * labels) * 50) / 50).astype(np.float32)
        c = (np.round(rng.normal(0, 1, 2 * n) * 8) / 8).astype(np.float32)   # per-image values, ties
        sims = np.array([float(x) for x in sim32])                          # .item() of float32
        conf = np.array([float(c[2 * i]) + float(c[2 * i + 1]) for i in range(n)])   # Python floats
        splits = np.arange(0, 0.5, 0.025)
        tars, aucs, at02 = [], [], []
        for far in [0.1, 0.01, 0.005]:
            idxs = np.argsort(conf)
            s, y = sims[idxs], labels[idxs]
            row = [float(cross_tar_at_far(s[int(sp * len(y)):], y[int(sp * len(y)):], far)) for sp in splits]
            tars.append(row)
            from_sklearn_auc = float(np.trapezoid(row, splits))   # sklearn.metrics.auc for increasing x
            aucs.append(from_sklearn_auc / splits.max())
            at02.append(float(np.array(row)[splits == 0.2][0]))
        whole = [float(cross_tar_at_far(sims, labels, f)) for f in [0.1, 0.01, 0.005]]
        cases.append(dict(name=name, similarities=f32(sim32), image_values=f32(c), labels=labels.astype(bool),
                          fars=[0.1, 0.01, 0.005], splits=splits, kept=[n - int(sp * n) for sp in splits],
                          tar=tars, normalised_auc=aucs, tar_at_0_2=at02, tar_whole=whole))
    return cases


# ---------------------------------------------------------------- grids

def grids():
    seqs = []
    for args in [("0", "0.02", "0.5"), ("0", "0.002", "0.5"), ("0", "0.025", "0.475"), ("0.1", "0.1", "0.3"),
                 ("0", "0.5", "1.25"), ("0", "0.3", "0.9"), ("0.05", "0.05", "1.0")]:
        out = subprocess.run(["seq", *args], capture_output=True, text=True, check=True).stdout.split()
        seqs.append(dict(args=list(args), values=[float(x) for x in out]))
    aranges = [dict(args=[0.0, 0.5, 0.025], values=np.arange(0, 0.5, 0.025)),
               dict(args=[-1.0, 1.0, 0.005], values=np.arange(-1.0, 1.0, 0.005)),
               dict(args=[0.0, 0.51, 0.02], values=np.arange(0, 0.51, 0.02))]
    return dict(seq=seqs, arange=aranges)


# ---------------------------------------------------------------- LFW 10-fold (face_metrics.py)

def lfw_accuracy(scores, labels, n_folds=10):
    """accuracy_lfw_6000_pairs's calculate_accuracy, literally, on scores written with
    '{}'.format (Python float repr) and parsed back with float()."""
    n = len(scores)
    predicts = np.array([["a", "b", "{}".format(float(s)), str(int(y))] for s, y in zip(scores, labels)])
    thresholds = np.arange(-1.0, 1.0, 0.005)

    def eval_acc(threshold, diff, indx):
        # the reference's loop `1 if float(d[indx]) > threshold else 0`, vectorised
        y_true = diff[:, -1].astype(int)
        y_predict = (diff[:, indx].astype(float) > threshold).astype(int)
        return 1.0 * np.count_nonzero(y_true == y_predict) / len(y_true)

    def find_best_threshold(thresholds, predicts, indx):
        best_threshold = best_acc = 0
        for threshold in thresholds:
            accuracy = eval_acc(threshold, predicts, indx)
            if accuracy >= best_acc:
                best_acc = accuracy
                best_threshold = threshold
        return best_threshold

    base = list(range(n))
    accs, best = [], []
    for i in range(n_folds):
        test = base[i * n // n_folds:(i + 1) * n // n_folds]
        train = list(set(base) - set(test))
        t = find_best_threshold(thresholds, predicts[train], 2)
        best.append(float(t))
        accs.append(eval_acc(t, predicts[test], 2))
    return dict(fold_accuracy=accs, threshold=best, mean=float(np.mean(accs)), std=float(np.std(accs)))


def lfw_cases(rng):
    cases = []
    for name, n in [("lfw-6000", 6000), ("lfw-257", 257)]:
        labels = rng.random(n) < 0.5
        f1 = rng.normal(0, 1, (n, 8)).astype(np.float32)
        f2 = (f1 * labels[:, None] * 0.8 + rng.normal(0, 1, (n, 8))).astype(np.float32)
        # cos = f1.f2 / (|f1||f2| + 1e-5) in float32 (torch); the scores are the inputs here
        cos = (np.sum(f1 * f2, axis=1) / (np.linalg.norm(f1, axis=1) * np.linalg.norm(f2, axis=1)
                                           + np.float32(1e-5))).astype(np.float32)
        cos[:5] = np.float32(0.25)                    # scores exactly on a grid threshold
        cases.append(dict(name=name, scores=f32(cos), labels=labels, expected=lfw_accuracy(cos, labels)))
    return cases


# ---------------------------------------------------------------- CPLFW / CALFW split (cross_pairs.py)

def split_cases(rng):
    shuffled = np.arange(10)
    np.random.seed(42)
    np.random.shuffle(shuffled)
    # a pairs_CPLFW.txt: 2,300 identities (names with underscores, in shuffled order), one
    # pair per identity, so that every identity is used and the val set is not empty
    first = ["Ana", "Bo", "Cy", "Di", "Ed"]
    idents = [f"{first[i % 5]}_{'X' * (1 + i % 2)}{i}" for i in rng.permutation(2300)]
    lines = []
    for p in range(2300):
        a = idents[p]
        genuine = p % 2 == 0
        b = a if genuine else idents[rng.integers(len(idents))]
        lines.append(f"{a}_{rng.integers(1, 5)}.jpg {1 if genuine else 0}")
        lines.append(f"{b}_{rng.integers(5, 9)}.jpg {1 if genuine else 0}")
    pairs = [(lines[2 * i].split()[0], lines[2 * i + 1].split()[0], int(lines[2 * i].split()[1]))
             for i in range(len(lines) // 2)]
    photos = np.unique([p[0] for p in pairs] + [p[1] for p in pairs])

    def cut_name(name):
        return "_".join(name.split("_")[:-1])

    names = np.sort(np.unique([cut_name(x) for x in photos]))
    np.random.seed(42)
    np.random.shuffle(names)
    test_ids, val_ids = set(names[:2000].tolist()), set(names[2000:].tolist())
    test = [i for i, p in enumerate(pairs) if cut_name(p[0]) in test_ids and cut_name(p[1]) in test_ids]
    val = [i for i, p in enumerate(pairs) if cut_name(p[0]) in val_ids and cut_name(p[1]) in val_ids]
    assert test and val
    return dict(shuffle_arange_10=shuffled, pairs_file="\n".join(lines) + "\n", identities=names,
                test_pairs=test, val_pairs=val, labels=[p[2] for p in pairs])


def main():
    rng = np.random.default_rng(20261202)
    fixture = dict(numpy=np.__version__, argsort=argsort_cases(rng), small_far=small_far_cases(rng),
                   reference_reject=reference_reject_cases(rng), cross=cross_cases(rng), grids=grids(),
                   lfw=lfw_cases(rng), split=split_cases(rng))
    with open(OUT, "w") as f:
        json.dump(clean(fixture), f, separators=(",", ":"))
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
