#!/usr/bin/env python3
"""Synthetic IJB-C-scale data in the InsightFace layout, for tools/bench/bench_analysis.sh.

Writes into OUT:
  paths.txt, embeddings.npy [images, 512] float32, scale.npy [images] float32 (a confidence),
  meta/ijbc_face_tid_mid.txt and meta/ijbc_template_pair_label.txt with IJB-C 1:1's sizes:
  23,124 templates, 15,658,489 template pairs of which 19,557 genuine.
Images per template are drawn from 1..40 (about 470,000 images, like IJB-C's 469,375 faces).
Embeddings are subject centres plus noise that grows as the confidence falls.
"""
import argparse
import os

import numpy as np

TEMPLATES, PAIRS, GENUINE, SUBJECTS, DIM = 23124, 15658489, 19557, 3531, 512


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-images-per-template", type=int, default=40)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    os.makedirs(os.path.join(a.out, "meta"), exist_ok=True)

    subject = rng.integers(0, SUBJECTS, TEMPLATES)
    sizes = rng.integers(1, a.max_images_per_template + 1, TEMPLATES)
    n_img = int(sizes.sum())
    template_of = np.repeat(np.arange(TEMPLATES), sizes)
    media_of = template_of * 10 + rng.integers(0, 4, n_img)       # a few media per template

    centers = rng.standard_normal((SUBJECTS, DIM)).astype(np.float32)
    conf = rng.uniform(5, 40, n_img).astype(np.float32)
    emb = np.lib.format.open_memmap(os.path.join(a.out, "embeddings.npy"), mode="w+",
                                    dtype=np.float32, shape=(n_img, DIM))
    step = 50000
    for lo in range(0, n_img, step):
        hi = min(n_img, lo + step)
        noise = rng.standard_normal((hi - lo, DIM), dtype=np.float32) * (40.0 / conf[lo:hi, None])
        emb[lo:hi] = centers[subject[template_of[lo:hi]]] * 3 + noise
    emb.flush()
    del emb
    np.save(os.path.join(a.out, "scale.npy"), conf)
    names = [f"{i}.jpg" for i in range(n_img)]
    with open(os.path.join(a.out, "paths.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    with open(os.path.join(a.out, "meta", "ijbc_face_tid_mid.txt"), "w") as f:
        f.write("\n".join(f"{n} {t} {m}" for n, t, m in zip(names, template_of.tolist(), media_of.tolist())) + "\n")

    # genuine pairs: two different templates of one subject
    by_subject = {}
    for t, s in enumerate(subject.tolist()):
        by_subject.setdefault(s, []).append(t)
    multi = [v for v in by_subject.values() if len(v) > 1]
    g1 = np.empty(GENUINE, np.int64)
    g2 = np.empty(GENUINE, np.int64)
    picks = rng.integers(0, len(multi), GENUINE)
    for i, p in enumerate(picks.tolist()):
        x, y = rng.choice(multi[p], 2, replace=False)
        g1[i], g2[i] = x, y
    # impostor pairs: templates of different subjects
    n_imp = PAIRS - GENUINE
    i1 = rng.integers(0, TEMPLATES, n_imp)
    i2 = rng.integers(0, TEMPLATES, n_imp)
    same = subject[i1] == subject[i2]
    while same.any():
        i2[same] = rng.integers(0, TEMPLATES, int(same.sum()))
        same = subject[i1] == subject[i2]
    t1 = np.concatenate([g1, i1])
    t2 = np.concatenate([g2, i2])
    lab = np.concatenate([np.ones(GENUINE, np.int64), np.zeros(n_imp, np.int64)])
    order = np.lexsort((t2, t1))                  # like IJB-C's list: grouped by the first template
    t1, t2, lab = t1[order], t2[order], lab[order]
    with open(os.path.join(a.out, "meta", "ijbc_template_pair_label.txt"), "w") as f:
        chunk = 1_000_000
        for lo in range(0, PAIRS, chunk):
            hi = min(PAIRS, lo + chunk)
            f.write("\n".join(f"{x} {y} {z}" for x, y, z in zip(t1[lo:hi].tolist(), t2[lo:hi].tolist(),
                                                                  lab[lo:hi].tolist())) + "\n")
    print(f"{n_img} images, {TEMPLATES} templates, {PAIRS} pairs ({GENUINE} genuine) in {a.out}")


if __name__ == "__main__":
    main()
