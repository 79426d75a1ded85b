"""Golden for the GAN strategy's resize (docs/strategies.md, GAN), written from the spec.

The reference standardises uint8 RGB as (float32(u) - 127.5) / 128 and then resizes with
scipy.ndimage.zoom(order=1, mode='mirror', grid_mode=True) to 256 x 256 (channels not
interpolated). This script draws seeded uint8 images, applies exactly that with scipy,
and writes Tests/BackboneTests/Fixtures/gan/resize.json: the input bytes (hex) and the
float32 output bits (hex, little-endian) of small cases in full, and the FNV-1a 64-bit hash
(offset 0xcbf29ce484222325, prime 0x100000001b3, over the little-endian bytes) of the
float32 output of the shipped 112 -> 256 case. Run with the project's pyenv python.
"""
import json, os
import numpy as np
from scipy import ndimage

def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h

def gan_resize(u8, out_h, out_w):
    x = (u8.astype(np.float32) - np.float32(127.5)) / np.float32(128.0)
    h, w, _ = x.shape
    return ndimage.zoom(x, (out_h / h, out_w / w, 1.0), order=1, mode="mirror",
                        grid_mode=True, output=np.float32)

rng = np.random.default_rng(20260)
cases = []
for (h, w, oh, ow) in [(5, 7, 13, 11), (1, 4, 3, 9), (9, 6, 4, 3)]:
    u8 = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    y = gan_resize(u8, oh, ow)
    assert y.shape == (oh, ow, 3)
    cases.append({"height": h, "width": w, "out_height": oh, "out_width": ow,
                  "input": u8.tobytes().hex(), "output": y.astype("<f4").tobytes().hex()})
u8 = rng.integers(0, 256, size=(112, 112, 3), dtype=np.uint8)
y = gan_resize(u8, 256, 256)
full = {"height": 112, "width": 112, "input": u8.tobytes().hex(),
        "output_fnv1a64": "%016x" % fnv1a64(y.astype("<f4").tobytes()),
        "output_first": float(y[0, 0, 0]), "output_last": float(y[255, 255, 2])}
out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "BackboneTests", "Fixtures", "gan", "resize.json")
with open(out, "w") as f:
    json.dump({"cases": cases, "shipped": full}, f, indent=1)
print("wrote", out)
