#!/usr/bin/env python3
"""Interop checks between scaleface stores and numpy/h5py, run by the Swift test suite.

  store_interop.py make-arrays DIR SEED      write paths.txt and .npy inputs for `store import`
  store_interop.py check-store STORE SEED    read a scaleface-written store with h5py and
                                             compare every array with arrays regenerated here
  store_interop.py make-bad DIR              write malformed inputs for the error tests
  store_interop.py write-store OUT SEED [--fixed-strings]
                                             write a store with h5py's default settings, and
                                             the expected arrays beside it as .npy

The arrays come from numpy's generator with SEED, independently of scaleface.
"""
import sys
import numpy as np


def make_arrays(seed):
    rng = np.random.default_rng(seed)
    n, d = 257, 64
    paths = [f"subject_{i // 5:03d}/frame ü{i:04d}.jpg" for i in range(n)]
    embeddings = (rng.standard_normal((n, d)) * 20).astype(np.float32)
    scale = rng.uniform(0.5, 80.0, n).astype(np.float32)
    sigma = np.exp(rng.standard_normal((n, 16))).astype(np.float32)
    labels = (np.arange(n) // 5).astype(np.int64)
    return paths, embeddings, scale, sigma, labels


def make_arrays_cmd(out, seed):
    paths, emb, scale, sigma, labels = make_arrays(seed)
    with open(f"{out}/paths.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(paths) + "\n")
    np.save(f"{out}/embeddings.npy", emb)
    np.save(f"{out}/scale.npy", scale)
    np.save(f"{out}/sigma.npy", sigma)
    np.save(f"{out}/labels.npy", labels)


def make_bad_cmd(out):
    """Inputs for 3 images that are wrong in exactly one way each."""
    good = np.arange(12, dtype=np.float32).reshape(3, 4)
    with open(f"{out}/paths.txt", "w") as f:
        f.write("a.png\nb.png\nc.png\n")
    with open(f"{out}/dup_paths.txt", "w") as f:
        f.write("a.png\nb.png\na.png\n")
    np.save(f"{out}/good.npy", good)
    np.save(f"{out}/int32.npy", good.astype(np.int32))
    np.save(f"{out}/complex.npy", good.astype(np.complex64))
    np.save(f"{out}/fortran.npy", np.asfortranarray(good))
    np.save(f"{out}/rank1.npy", good[:, 0].copy())
    np.save(f"{out}/rank3.npy", good.reshape(3, 2, 2))
    np.save(f"{out}/four_rows.npy", np.zeros((4, 4), np.float32))
    nan = good.copy(); nan[2, 1] = np.nan
    np.save(f"{out}/nan_row2.npy", nan)
    inf = good.copy(); inf[1, 3] = np.inf
    np.save(f"{out}/inf_row1.npy", inf)
    np.save(f"{out}/unc_nan_row0.npy", np.array([np.nan, 1, 2], np.float32))
    np.save(f"{out}/unc_two_rows.npy", np.array([1, 2], np.float32))
    np.save(f"{out}/labels_float.npy", np.array([1.0, 2.0, 3.0]))
    np.save(f"{out}/labels.npy", np.array([1, 2, 3]))
    with open(f"{out}/features.txt", "w") as f:
        f.write("a.png 1 2 3 \nb.png 4 5 6\nc.png 7 8\n")
    with open(f"{out}/not_npy.npy", "w") as f:
        f.write("just text\n")


def fail(msg):
    print(f"interop check failed: {msg}", file=sys.stderr)
    sys.exit(1)


def check_store_cmd(store, seed):
    import h5py
    paths, emb, scale, sigma, labels = make_arrays(seed)
    with h5py.File(store, "r") as f:
        a = f.attrs
        if a["format"] != "scaleface-store":
            fail(f"format attribute {a['format']!r}")
        if int(a["format_version"]) != 1 or int(a["complete"]) != 1:
            fail("format_version or complete attribute")
        got_paths = [p.decode("utf-8") for p in f["images/path"][:]]
        if got_paths != paths:
            fail("paths differ")
        if f["embeddings"].dtype != np.float32 or not np.array_equal(f["embeddings"][:], emb):
            fail("embeddings differ")
        if f["embeddings"].maxshape[0] is not None or f["embeddings"].chunks is None:
            fail("embeddings are not chunked and extendible")
        if not np.array_equal(f["uncertainty/scale"][:], scale.reshape(-1, 1)):
            fail("uncertainty/scale differs")
        if f["uncertainty/scale"].attrs["mode"] != "confidence":
            fail("uncertainty/scale mode")
        if not np.array_equal(f["uncertainty/sigma"][:], sigma):
            fail("uncertainty/sigma differs")
        if f["uncertainty/sigma"].attrs["mode"] != "uncertainty":
            fail("uncertainty/sigma mode")
        if f["images/label"].dtype != np.int64 or not np.array_equal(f["images/label"][:], labels):
            fail("labels differ")
    print("ok")


def write_store_cmd(out, seed, fixed_strings):
    import h5py
    paths, emb, scale, sigma, labels = make_arrays(seed)
    half = (emb[:, :32] / 7).astype(np.float16)
    with h5py.File(out, "w") as f:  # h5py's default settings
        f.attrs["format"] = "scaleface-store"
        f.attrs["format_version"] = 1
        f.attrs["model"] = "written by h5py"
        f.attrs["created"] = "2026-01-02T03:04:05Z"
        f.attrs["preprocessing"] = "mean_scale"
        f.attrs["complete"] = 1
        if fixed_strings:
            f.create_dataset("images/path", data=np.array([p.encode("utf-8") for p in paths]))
        else:
            f.create_dataset("images/path", data=paths, dtype=h5py.string_dtype())
        f.create_dataset("images/label", data=labels)
        f.create_dataset("embeddings", data=emb, maxshape=(None, emb.shape[1]), chunks=True)
        f.create_dataset("uncertainty/scale", data=scale)
        f["uncertainty/scale"].attrs["mode"] = "confidence"
        f.create_dataset("uncertainty/sigma", data=sigma)
        f["uncertainty/sigma"].attrs["mode"] = "uncertainty"
        f.create_dataset("bottleneck", data=half)
    base = out[:-3] if out.endswith(".h5") else out
    np.save(base + "-expected-bottleneck.npy", half.astype(np.float32))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make-arrays":
        make_arrays_cmd(sys.argv[2], int(sys.argv[3]))
    elif cmd == "check-store":
        check_store_cmd(sys.argv[2], int(sys.argv[3]))
    elif cmd == "make-bad":
        make_bad_cmd(sys.argv[2])
    elif cmd == "write-store":
        write_store_cmd(sys.argv[2], int(sys.argv[3]), "--fixed-strings" in sys.argv)
    else:
        sys.exit(f"unknown command {cmd}")
