"""Writes N smooth random 112 x 112 RGB PNGs and a list file for bench_embed.sh:
    make_images.py DIR N"""
import pathlib
import struct
import sys
import zlib

import numpy as np


def write_png(path, rgb):
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main(out, n):
    out = pathlib.Path(out)
    (out / "img").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    names = []
    for i in range(n):
        base = rng.uniform(0, 255, (8, 8, 3))
        im = np.kron(base, np.ones((14, 14, 1))) + rng.normal(0, 12, (112, 112, 3))
        name = f"img/{i:05d}.png"
        write_png(out / name, np.clip(im, 0, 255).astype(np.uint8))
        names.append(name)
    (out / "list.txt").write_text("\n".join(names) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
