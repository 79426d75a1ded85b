#!/usr/bin/env python3
"""Writes the alignment fixtures under Tests/Fixtures/align: similarity transforms estimated
from 5-point landmark sets onto both templates, and bilinear warps of a small random image.

The expected values come from the numpy implementation below, written from the definitions
in docs/alignment.md, not from any library:
  - similarity: Umeyama (1991) least squares without reflection, by SVD of the 2x2
    cross-covariance (the Swift code uses the equivalent closed form, so the two are
    independent derivations);
  - warp: destination pixel (x, y) -> inverse transform -> (x', y'); bilinear interpolation of
    the four integer-centred neighbours, which are 0 outside the image; float64; rounded half
    to even; clipped to 0..255.
When OpenCV and scikit-image are importable (tools/pyenv.sh numpy opencv-python-headless
scikit-image), they are run on the same inputs as a cross-check and the largest differences are
recorded in the manifest (`crosscheck`), which docs/alignment.md quotes.

Run: $(tools/pyenv.sh numpy opencv-python-headless scikit-image) tools/golden/align_golden.py

With `--dataset DIR` (a `scaleface synth --aligned` output) it writes nothing and instead
aligns every raw picture as InsightFace's `norm_crop` does (skimage estimate + cv2.warpAffine
on the ArcFace 112 template) and reports how far the Swift crops in DIR/aligned differ.
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "align")

ARCFACE_112 = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                        [41.5493, 92.3655], [70.7299, 92.2041]])
REFERENCE_NORMALISED = np.array([[-0.158084, -0.038426], [0.156534, -0.040166], [0.000225, 0.140505],
                                 [-0.129024, 0.324692], [0.131517, 0.323251]])


def template(kind, w, h):
    if kind == "arcface":
        return ARCFACE_112 * np.array([w / 112.0, h / 112.0])
    return REFERENCE_NORMALISED * max(w, h) + np.array([w / 2.0, h / 2.0])


def umeyama_similarity(src, dst):
    """2x3 matrix of the least-squares s R x + t (R a proper rotation) taking src to dst."""
    n = src.shape[0]
    mu_s, mu_d = src.mean(0), dst.mean(0)
    ps, qd = src - mu_s, dst - mu_d
    sigma_s = (ps ** 2).sum() / n
    cov = qd.T @ ps / n                       # Sigma_xy of Umeyama's paper (dst x src)
    u, sv, vt = np.linalg.svd(cov)
    d = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[1] = -1.0                           # exclude the reflection
    r = u @ np.diag(d) @ vt
    s = (sv * d).sum() / sigma_s
    t = mu_d - s * r @ mu_s
    return np.hstack([s * r, t[:, None]])


def warp_bilinear(img, m, w, h):
    """uint8 H x W x 3 image warped by the 2x3 forward matrix m into h x w x 3."""
    a = np.vstack([m, [0, 0, 1]])
    inv = np.linalg.inv(a)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    sx = inv[0, 0] * xs + inv[0, 1] * ys + inv[0, 2]
    sy = inv[1, 0] * xs + inv[1, 1] * ys + inv[1, 2]
    x0, y0 = np.floor(sx), np.floor(sy)
    fx, fy = (sx - x0)[..., None], (sy - y0)[..., None]
    pad = 2
    padded = np.zeros((img.shape[0] + 2 * pad, img.shape[1] + 2 * pad, 3), np.float64)
    padded[pad:-pad, pad:-pad] = img
    # Neighbours more than a pixel outside are all border; clamp the indices into the padding.
    xi = np.clip(x0.astype(np.int64) + pad, 0, padded.shape[1] - 2)
    yi = np.clip(y0.astype(np.int64) + pad, 0, padded.shape[0] - 2)
    p00, p01 = padded[yi, xi], padded[yi, xi + 1]
    p10, p11 = padded[yi + 1, xi], padded[yi + 1, xi + 1]
    top = (1 - fx) * p00 + fx * p01
    bottom = (1 - fx) * p10 + fx * p11
    v = (1 - fy) * top + fy * bottom
    outside = ~((sx > -1) & (sy > -1) & (sx < img.shape[1]) & (sy < img.shape[0]))
    v[outside] = 0
    return np.clip(np.rint(v), 0, 255).astype(np.uint8)


def landmark_sets(rng):
    """(name, 5x2 landmarks, template kind, crop w, crop h)."""
    sets = []
    base = ARCFACE_112.copy()
    sets.append(("template-itself", base, "arcface", 112, 112))

    def pose(points, scale, angle_deg, tx, ty):
        a = np.deg2rad(angle_deg)
        r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        c = points.mean(0)
        return (points - c) @ r.T * scale + c + np.array([tx, ty])

    sets.append(("rotated-20-scaled", pose(base, 0.55, 20, -14, -20), "arcface", 112, 112))
    sets.append(("rotated-minus-35-noisy", pose(base, 0.6, -35, -18, -25) + rng.normal(0, 1.5, (5, 2)),
                 "arcface", 112, 112))
    sets.append(("large-image-ijbc-like", pose(base, 4.3, 8, 600, 410) + rng.normal(0, 3, (5, 2)),
                 "arcface", 112, 112))
    mirrored = base.copy()
    mirrored[:, 0] = 112 - mirrored[:, 0]   # left/right swapped: the best map would reflect
    sets.append(("mirrored-needs-reflection", pose(mirrored, 0.5, 5, -20, -25), "arcface", 112, 112))
    sets.append(("reference-template", pose(base, 0.6, -12, -15, -22) + rng.normal(0, 1, (5, 2)),
                 "reference", 112, 112))
    sets.append(("reference-template-96x112", pose(base, 0.5, 15, -20, -28), "reference", 96, 112))
    sets.append(("arcface-template-128", pose(base, 0.5, -5, -22, -30), "arcface", 128, 128))
    return sets


def compare_dataset(root):
    import cv2
    from skimage.transform import SimilarityTransform
    hist = np.zeros(256, np.int64)
    count = 0
    with open(os.path.join(root, "landmarks.txt")) as f:
        for line in f:
            fields = line.split()
            lm = np.array(list(map(float, fields[1:11]))).reshape(5, 2)
            if hasattr(SimilarityTransform, "from_estimate"):
                t = SimilarityTransform.from_estimate(lm, ARCFACE_112)
            else:
                t = SimilarityTransform()
                t.estimate(lm, ARCFACE_112)
            raw = cv2.imread(os.path.join(root, "images", fields[0]), cv2.IMREAD_COLOR)
            ref = cv2.warpAffine(raw, t.params[:2], (112, 112), borderValue=0.0)
            ours = cv2.imread(os.path.join(root, "aligned", fields[0]), cv2.IMREAD_COLOR)
            hist += np.bincount(np.abs(ref.astype(int) - ours.astype(int)).ravel(), minlength=256)
            count += 1
    n = hist.sum()
    print(f"{count} crops, {n} samples: max |cv2 - swift| = {np.nonzero(hist)[0].max()}, "
          f"differing by 1: {hist[1] / n:.6f}, by 2 or more: {hist[2:].sum() / n:.6f}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--dataset":
        compare_dataset(sys.argv[2])
        return
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261122)
    sh, sw = 64, 80
    # Smooth structure plus noise, so both the low and the high bits of the weights matter.
    yy, xx = np.mgrid[0:sh, 0:sw]
    img = np.stack([(xx * 3) % 256, (yy * 4) % 256, ((xx + yy) * 2) % 256], -1).astype(np.float64)
    img = np.clip(img + rng.integers(-60, 61, img.shape), 0, 255).astype(np.uint8)
    img.tofile(os.path.join(OUT, "source-80x64.rgb"))

    try:
        import cv2
    except ImportError:
        cv2 = None
    try:
        import skimage
        from skimage.transform import SimilarityTransform, warp as sk_warp
    except ImportError:
        skimage = None

    transforms, warps = [], []
    worst = {"skimage_matrix_rel": 0.0, "cv2_pixels": 0, "cv2_mean": 0.0, "skimage_pixels": 0}
    for name, src, kind, w, h in landmark_sets(rng):
        dst = template(kind, w, h)
        m = umeyama_similarity(src, dst)
        entry = {"name": name, "landmarks": src.tolist(), "template": kind, "width": w, "height": h,
                 "matrix": m.tolist(), "destination": dst.tolist()}
        if skimage is not None:
            if hasattr(SimilarityTransform, "from_estimate"):
                t = SimilarityTransform.from_estimate(src, dst)
            else:
                t = SimilarityTransform()
                t.estimate(src, dst)
            rel = float(np.abs(t.params[:2] - m).max() / np.abs(m).max())
            entry["skimage_relative_difference"] = rel
            worst["skimage_matrix_rel"] = max(worst["skimage_matrix_rel"], rel)
        transforms.append(entry)

    # Warps of the 80x64 image: matrices from landmark sets that fall inside it, plus special cases.
    cases = [(t["name"], np.array(t["matrix"]), t["width"], t["height"]) for t in transforms
             if t["name"] in ("rotated-20-scaled", "rotated-minus-35-noisy", "mirrored-needs-reflection",
                              "reference-template-96x112")]
    cases.append(("integer-shift", np.array([[1.0, 0, -7], [0, 1.0, 5]]), 40, 32))
    cases.append(("half-pixel-shift", np.array([[1.0, 0, 0.5], [0, 1.0, -0.5]]), 48, 40))
    cases.append(("downscale-rotate-partly-outside", umeyama_similarity(
        np.array([[0, 0], [80, 0], [80, 64.0]]), np.array([[10, 2], [42, 12], [34, 40.0]])), 48, 40))
    cases.append(("general-affine-shear", np.array([[1.3, 0.4, -12.25], [-0.2, 0.9, 3.125]]), 48, 40))
    for name, m, w, h in cases:
        out = warp_bilinear(img, m, w, h)
        fname = f"warp-{name}-{w}x{h}.rgb"
        out.tofile(os.path.join(OUT, fname))
        entry = {"name": name, "matrix": m.tolist(), "width": w, "height": h, "file": fname}
        if cv2 is not None:
            ref = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            diff = np.abs(ref.astype(int) - out.astype(int))
            entry["cv2_max_abs_difference"] = int(diff.max())
            entry["cv2_mean_abs_difference"] = float(diff.mean())
            worst["cv2_pixels"] = max(worst["cv2_pixels"], int(diff.max()))
            worst["cv2_mean"] = max(worst["cv2_mean"], float(diff.mean()))
        if skimage is not None:
            full = np.vstack([m, [0, 0, 1]])
            ref = sk_warp(img, np.linalg.inv(full), output_shape=(h, w), order=1, mode="constant",
                          cval=0, preserve_range=True)
            ref = np.clip(np.rint(ref), 0, 255).astype(np.uint8)
            diff = np.abs(ref.astype(int) - out.astype(int))
            entry["skimage_max_abs_difference"] = int(diff.max())
            worst["skimage_pixels"] = max(worst["skimage_pixels"], int(diff.max()))
        warps.append(entry)

    manifest = {
        "source": {"file": "source-80x64.rgb", "width": sw, "height": sh},
        "transforms": transforms,
        "warps": warps,
        "crosscheck": {
            "cv2": None if cv2 is None else cv2.__version__,
            "skimage": None if skimage is None else skimage.__version__,
            "numpy": np.__version__,
            "worst": worst,
        },
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest["crosscheck"], indent=1))
    for w in warps:
        print(w["name"], {k: v for k, v in w.items() if "difference" in k})


if __name__ == "__main__":
    main()
