#!/usr/bin/env python3
"""The reference algorithm (docs/metrics.md, "TAR@FAR" to "Template fusion") in numpy on the bench data, for timing and
for checking scaleface's numbers: mean fusion per template, per-pair cosine from copied
features (in chunks of pairs, since the reference's all-at-once copy needs ~60 GiB at this
scale), then for every metric and rejected portion a fresh sort of the kept pairs' scores.

Usage: reference_ijbc.py DATA_DIR OUT.json [--portion-stride S]  (DATA_DIR from make_ijbc_synthetic.py)
Metrics: mean_cosine_mean, mean_cosine_harmonic-harmonic, mean_scale-mul-cosine_mul,
confidence mode, FARs 1e-6..1e-1, portions linspace(0, 0.5, 250).

The re-sort per portion costs about a second per portion and metric at this scale (over
12 minutes for all 750), so by default only every 10th portion is computed and the reject
time is also reported projected to all 250 (`reject_seconds_projected`); `--portion-stride 1`
runs them all. Timings per phase go to OUT.json.
"""
import time
import json
import sys

import numpy as np

FARS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
PORTIONS = np.linspace(0, 0.5, 250)


def tar_at_far(scores, labels, fars):
    pos = scores[labels]
    neg = np.sort(scores[~labels])[::-1]
    out = []
    for far in fars:
        k = int(np.round(len(neg) * far))
        t = float(neg[0]) + 1e-8 if k == 0 else float(neg[k - 1])
        out.append(float(np.sum(pos >= t)) / len(pos))
    return out


def main():
    data, out_path = sys.argv[1], sys.argv[2]
    stride = int(sys.argv[sys.argv.index("--portion-stride") + 1]) if "--portion-stride" in sys.argv else 10
    computed = list(range(0, len(PORTIONS), stride))
    t0 = time.time()
    emb = np.load(f"{data}/embeddings.npy", mmap_mode="r")
    conf = np.load(f"{data}/scale.npy")
    meta = np.loadtxt(f"{data}/meta/ijbc_face_tid_mid.txt", dtype=np.int64, usecols=(1, 2))
    tid = meta[:, 0]
    pairs = np.fromfile(f"{data}/meta/ijbc_template_pair_label.txt", dtype=np.int64, sep=" ").reshape(-1, 3)
    t1, t2, labels = pairs[:, 0], pairs[:, 1], pairs[:, 2] == 1

    # mean fusion (every image of this data is stored)
    ids, inverse, counts = np.unique(tid, return_inverse=True, return_counts=True)
    feats = np.zeros((len(ids), emb.shape[1]), np.float64)
    for lo in range(0, len(tid), 50000):
        np.add.at(feats, inverse[lo:lo + 50000], emb[lo:lo + 50000])
    feats = feats / counts[:, None]
    feats = (feats / (1e-8 + np.linalg.norm(feats, axis=1, keepdims=True))).astype(np.float32)
    tconf = (np.bincount(inverse, weights=conf) / counts).astype(np.float32)
    row = np.full(ids.max() + 1, -1, np.int64)
    row[ids] = np.arange(len(ids))
    r1, r2 = row[t1], row[t2]

    # per-pair features copied, chunk by chunk
    cos = np.empty(len(r1), np.float32)
    for lo in range(0, len(r1), 500_000):
        e1, e2 = feats[r1[lo:lo + 500_000]], feats[r2[lo:lo + 500_000]]
        cos[lo:lo + 500_000] = np.sum(e1 * e2, axis=1)
    u1, u2 = tconf[r1].astype(np.float64), tconf[r2].astype(np.float64)
    metrics = {
        "mean_cosine_mean": (cos, (u1 + u2).astype(np.float32)),
        "mean_cosine_harmonic-harmonic": (cos, (2 / (1 / u1 + 1 / u2)).astype(np.float32)),
        "mean_scale-mul-cosine_mul": ((cos * u1 * u2).astype(np.float32), (u1 * u2).astype(np.float32)),
    }
    t1 = time.time()
    result = {}
    n = len(cos)
    for name, (scores, unc) in metrics.items():
        order = np.argsort(unc, kind="stable")[::-1]          # confidence mode
        tar = [[] for _ in FARS]
        for r in PORTIONS[computed]:
            keep = order[:int(np.floor(n * (1 - r)))]
            for i, v in enumerate(tar_at_far(scores[keep], labels[keep], FARS)):
                tar[i].append(v)
        xs = PORTIONS[computed]
        auc = [float(np.trapezoid(t, xs)) if hasattr(np, "trapezoid") else float(np.trapz(t, xs)) for t in tar]
        result[name] = {"tar": tar, "auc_over_computed": auc}
        print(name, "auc", auc, file=sys.stderr, flush=True)
    t2 = time.time()
    timing = {"load_fuse_score_seconds": t1 - t0, "reject_seconds": t2 - t1,
              "reject_seconds_projected": (t2 - t1) * len(PORTIONS) / len(computed)}
    with open(out_path, "w") as f:
        json.dump({"metrics": result, "computed_portions": computed, "timing": timing}, f)


if __name__ == "__main__":
    main()
