#!/usr/bin/env python3
"""Store benchmark peers: numpy np.save/np.load and h5py on the same arrays.

  peers.py make DIR N D        write the benchmark inputs (paths.txt, embeddings.npy, scale.npy,
                               head.npy) and time np.save on them
  peers.py numpy-load DIR      time np.load of the same files
  peers.py h5py DIR OUT.h5     time h5py writing then reading the same arrays (default settings)

Each timing line is `name seconds bytes`.
"""
import os
import sys
import time

import numpy as np


def arrays_bytes(arrays):
    return sum(a.nbytes for a in arrays)


def make(d, n, dim):
    rng = np.random.default_rng(0)
    emb = rng.standard_normal((n, dim), dtype=np.float32)
    scale = rng.uniform(1, 60, n).astype(np.float32)
    head = np.exp(rng.standard_normal((n, dim), dtype=np.float32))
    with open(os.path.join(d, "paths.txt"), "w") as f:
        f.write("\n".join(f"subject_{i // 20:06d}/img_{i:07d}.jpg" for i in range(n)) + "\n")
    t = time.perf_counter()
    np.save(os.path.join(d, "embeddings.npy"), emb)
    np.save(os.path.join(d, "scale.npy"), scale)
    np.save(os.path.join(d, "head.npy"), head)
    dt = time.perf_counter() - t
    print(f"numpy-save {dt:.4f} {arrays_bytes([emb, scale, head])}")


def numpy_load(d):
    t = time.perf_counter()
    arrays = [np.load(os.path.join(d, f)) for f in ("embeddings.npy", "scale.npy", "head.npy")]
    dt = time.perf_counter() - t
    print(f"numpy-load {dt:.4f} {arrays_bytes(arrays)}")


def h5py_io(d, out):
    import h5py
    arrays = [np.load(os.path.join(d, f)) for f in ("embeddings.npy", "scale.npy", "head.npy")]
    paths = open(os.path.join(d, "paths.txt")).read().split()
    t = time.perf_counter()
    with h5py.File(out, "w") as f:
        f.create_dataset("images/path", data=paths, dtype=h5py.string_dtype())
        f.create_dataset("embeddings", data=arrays[0], maxshape=(None, arrays[0].shape[1]), chunks=True)
        f.create_dataset("uncertainty/scale", data=arrays[1])
        f.create_dataset("uncertainty/head", data=arrays[2])
    dt = time.perf_counter() - t
    print(f"h5py-write {dt:.4f} {arrays_bytes(arrays)}")
    t = time.perf_counter()
    with h5py.File(out, "r") as f:
        back = [f["embeddings"][:], f["uncertainty/scale"][:], f["uncertainty/head"][:]]
        _ = f["images/path"][:]
    dt = time.perf_counter() - t
    print(f"h5py-read {dt:.4f} {arrays_bytes(back)}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "numpy-load":
        numpy_load(sys.argv[2])
    elif cmd == "h5py":
        h5py_io(sys.argv[2], sys.argv[3])
