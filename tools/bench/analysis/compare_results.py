#!/usr/bin/env python3
"""Compares scaleface's results.json with the numpy reference's: per metric, how many TAR
points differ and by how much, and the largest relative AUC difference.
Usage: compare_results.py SCALEFACE.json NUMPY.json"""
import json
import sys

ours = json.load(open(sys.argv[1]))["metrics"]
ref = json.load(open(sys.argv[2]))["metrics"]
for name, r in ref.items():
    o = ours[name]
    diffs = [abs(a - b) for ra, rb in zip(o["tar"], r["tar"]) for a, b in zip(ra, rb)]
    n_diff = sum(d > 0 for d in diffs)
    auc_rel = max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(o["auc"], r["auc"]))
    print(f"  {name}: {len(diffs)} TAR points, {n_diff} differ (max |diff| {max(diffs):.3g}), "
          f"max relative AUC diff {auc_rel:.3g}")
