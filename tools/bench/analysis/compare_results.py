#!/usr/bin/env python3
"""Compares scaleface's results.json with the numpy reference's at the portions numpy computed:
per metric, how many TAR points differ and by how much. Prints numpy's projected time.
Usage: compare_results.py SCALEFACE.json NUMPY.json"""
import json
import sys

ours = json.load(open(sys.argv[1]))["metrics"]
numpy_run = json.load(open(sys.argv[2]))
ref = numpy_run["metrics"]
cols = numpy_run["computed_portions"]
for name, r in ref.items():
    o = ours[name]
    diffs = [abs(ra_row[c] - b) for ra_row, rb in zip(o["tar"], r["tar"]) for c, b in zip(cols, rb)]
    n_diff = sum(d > 0 for d in diffs)
    print(f"  {name}: {len(diffs)} TAR points compared, {n_diff} differ (max |diff| {max(diffs):.3g})")
t = numpy_run["timing"]
print(f"  numpy phases: load+fuse+score {t['load_fuse_score_seconds']:.1f} s, reject {t['reject_seconds']:.1f} s "
      f"for {len(cols)} of 250 portions -> {t['reject_seconds_projected']:.0f} s projected for 250, "
      f"total projected {t['load_fuse_score_seconds'] + t['reject_seconds_projected']:.0f} s")
