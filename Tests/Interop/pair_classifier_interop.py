#!/usr/bin/env python3
"""h5py checks of the pair classifier kept in a store (docs/store.md, "The pair classifier"),
run by the Swift test suite (ClassifierMetricsTests).

  pair_classifier_interop.py check STORE WEIGHTS   read /pair_classifier of a scaleface-written
                                                   store with h5py and compare every tensor with
                                                   the scaleface weights file WEIGHTS (its
                                                   /tensors/pair_classifier.<name>); prints ok
  pair_classifier_interop.py corrupt STORE OUT WHAT
                                                   copy STORE to OUT with /pair_classifier broken
                                                   one way: shape (fc.weight 2 x 16 x 15),
                                                   rank (a 4-d tensor) or kind (attribute 'mlp')
"""
import shutil
import sys

import h5py
import numpy as np


def check(store, weights):
    with h5py.File(store, "r") as f, h5py.File(weights, "r") as w:
        assert f.attrs["complete"] == 1
        g = f["pair_classifier"]
        assert g.attrs["kind"] == "smart_cosine", g.attrs["kind"]
        assert isinstance(g.attrs["source"], str)
        want = {k[len("pair_classifier."):]: w["tensors"][k][()] for k in w["tensors"] if k.startswith("pair_classifier.")}
        assert sorted(g.keys()) == sorted(want), (sorted(g.keys()), sorted(want))
        for k, v in want.items():
            assert g[k].dtype == np.float32 and g[k].shape == v.shape, (k, g[k].dtype, g[k].shape)
            assert np.array_equal(g[k][()], v), k
        assert "classifier" not in f["uncertainty"], "the classifier strategy has no per-image values"
    print("ok")


def corrupt(store, out, what):
    shutil.copyfile(store, out)
    with h5py.File(out, "r+") as f:
        g = f["pair_classifier"]
        if what == "shape":
            del g["fc.weight"]
            g.create_dataset("fc.weight", data=np.zeros((2, 16, 15), np.float32))
        elif what == "rank":
            g.create_dataset("extra", data=np.zeros((1, 1, 1, 2), np.float32))
        elif what == "kind":
            g.attrs["kind"] = "mlp"
        else:
            raise SystemExit("unknown corruption " + what)


if __name__ == "__main__":
    if sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "corrupt":
        corrupt(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        raise SystemExit(__doc__)
