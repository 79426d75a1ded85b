#!/usr/bin/env python3
"""Writes the image-decoding fixtures under Tests/Fixtures/images and their expected pixels.

PNG files are written by the small encoder below (every colour type, bit depth, filter type
and Adam7 interlacing), from numpy arrays; the expected 8-bit RGB comes from those arrays by
the documented rules, so it does not depend on any PNG decoder:
  - gray is replicated to R, G, B; alpha (and tRNS transparency) is dropped, not composited;
  - 1, 2 and 4-bit samples are scaled to 0..255 (v * 255 / (2^bits - 1));
  - 16-bit samples become round(v / 257) (= round(v * 255 / 65535));
  - palette indices are looked up.
Pillow decodes the 8-bit fixtures too, as a check on the encoder.

JPEG files are written by Pillow; their expected pixels are Pillow's decoding (libjpeg-turbo,
accurate integer IDCT, fancy upsampling), which TurboJPEG with the same settings reproduces.

The manifest records for each file its size and an FNV-1a 64-bit checksum of the expected
RGB bytes, plus a few sample pixels. Run: python tools/golden/images_golden.py
"""
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image, features

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "images")

# Adam7 passes: (x start, y start, x step, y step).
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """samples: 1-D uint array of one row's samples (channels interleaved)."""
    if depth == 16:
        return samples.astype(">u2").tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    per_byte = 8 // depth
    out = bytearray()
    for i in range(0, len(samples), per_byte):
        b = 0
        group = list(samples[i:i + per_byte]) + [0] * (per_byte - len(samples[i:i + per_byte]))
        for v in group:
            b = (b << depth) | int(v)
        out.append(b)
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prev, bpp):
    out = bytearray([kind])
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i] if prev is not None else 0
        c = prev[i - bpp] if (prev is not None and i >= bpp) else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - pred) & 0xFF)
    return bytes(out)


def scanlines(samples, depth, first_filter):
    """samples: H x W x C array. Returns filtered scanlines, filter type cycling per row."""
    h, w, c = samples.shape
    bpp = max(1, c * depth // 8)
    data, prev = bytearray(), None
    for y in range(h):
        row = pack_row(samples[y].reshape(-1), depth)
        data += filter_row((first_filter + y) % 5, row, prev, bpp)
        prev = row
    return bytes(data)


def write_png(path, samples, depth, color_type, interlace=False, palette=None, trns=None, gamma=None):
    h, w, c = samples.shape
    assert c == CHANNELS[color_type]
    raw = bytearray()
    if interlace:
        for n, (x0, y0, dx, dy) in enumerate(ADAM7):
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += scanlines(sub, depth, n)
    else:
        raw += scanlines(samples, depth, 0)
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0))
    if gamma is not None:
        png += chunk(b"gAMA", struct.pack(">I", gamma))
    if palette is not None:
        png += chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    if trns is not None:
        png += chunk(b"tRNS", trns)
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def to8(v, depth):
    v = v.astype(np.int64)
    if depth == 16:
        return np.floor(v / 257.0 + 0.5).astype(np.uint8)  # v/257 is never exactly k + 0.5
    return (v * 255 // ((1 << depth) - 1)).astype(np.uint8)


def expected_rgb(samples, depth, color_type, palette=None):
    if color_type == 3:
        return palette[samples[:, :, 0]].astype(np.uint8)
    s8 = to8(samples, depth)
    if color_type in (0, 4):
        return np.repeat(s8[:, :, :1], 3, axis=2)
    return s8[:, :, :3]


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def record(manifest, name, rgb, **extra):
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    samples = [[x, y] + rgb[y, x].tolist() for (x, y) in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1), (w // 2, h // 2)]]
    entry = {"file": name, "width": w, "height": h, "fnv1a64": "%016x" % fnv1a64(rgb.tobytes()), "samples": samples}
    entry.update(extra)
    manifest["decode"].append(entry)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261122)
    manifest = {"generator": "tools/golden/images_golden.py", "pillow_libjpeg_turbo": features.version("libjpeg_turbo"),
                "decode": [], "errors": []}

    # Odd sizes so that rows of sub-byte images end mid-byte and Adam7 passes are ragged.
    w, h = 13, 9
    cases = []
    for depth in (1, 2, 4, 8, 16):
        cases.append(("gray%d" % depth, 0, depth))
    for depth in (8, 16):
        cases += [("graya%d" % depth, 4, depth), ("rgb%d" % depth, 2, depth), ("rgba%d" % depth, 6, depth)]
    for name, ct, depth in cases:
        c = CHANNELS[ct]
        samples = rng.integers(0, 1 << depth, size=(h, w, c), dtype=np.int64)
        for interlace in (False, True):
            fname = "%s%s.png" % (name, "-interlaced" if interlace else "")
            if interlace and depth == 16 and ct in (4, 6):
                # Read through libpng's premultiplied 16-bit output and divided back (see
                # PNGCodec): within 1 for alpha >= 257, so alpha is drawn from that range
                # and the full expected pixels are stored for a max-difference check.
                samples = samples.copy()
                samples[:, :, -1] = rng.integers(257, 65536, size=(h, w))
                write_png(os.path.join(OUT, fname), samples, depth, ct, interlace)
                rgb = expected_rgb(samples, depth, ct)
                rgb.tofile(os.path.join(OUT, fname + ".expected.rgb"))
                record(manifest, fname, rgb, tolerance=1, expected_rgb=fname + ".expected.rgb")
                continue
            write_png(os.path.join(OUT, fname), samples, depth, ct, interlace)
            record(manifest, fname, expected_rgb(samples, depth, ct))

    # Palettes at 1, 2, 4 and 8 bits, one with transparency (tRNS) which is dropped.
    for depth in (1, 2, 4, 8):
        n = 1 << depth
        palette = rng.integers(0, 256, size=(n, 3), dtype=np.int64)
        idx = rng.integers(0, n, size=(h, w, 1), dtype=np.int64)
        fname = "palette%d.png" % depth
        write_png(os.path.join(OUT, fname), idx, depth, 3, palette=palette)
        record(manifest, fname, expected_rgb(idx, depth, 3, palette))
    palette = rng.integers(0, 256, size=(16, 3), dtype=np.int64)
    idx = rng.integers(0, 16, size=(h, w, 1), dtype=np.int64)
    write_png(os.path.join(OUT, "palette8-trns.png"), idx, 8, 3, palette=palette,
              trns=bytes(rng.integers(0, 256, size=16, dtype=np.uint8).tolist()))
    record(manifest, "palette8-trns.png", expected_rgb(idx, 8, 3, palette))
    # Colour-key transparency on RGB: the keyed colour keeps its value.
    samples = rng.integers(0, 256, size=(h, w, 3), dtype=np.int64)
    samples[2, 3] = [10, 20, 30]
    write_png(os.path.join(OUT, "rgb8-trns.png"), samples, 8, 2, trns=struct.pack(">HHH", 10, 20, 30))
    record(manifest, "rgb8-trns.png", expected_rgb(samples, 8, 2))
    # A gAMA chunk of 1/2.2 (the sRGB approximation): values are kept as stored.
    samples = rng.integers(0, 256, size=(h, w, 3), dtype=np.int64)
    write_png(os.path.join(OUT, "rgb8-gama.png"), samples, 8, 2, gamma=45455)
    record(manifest, "rgb8-gama.png", expected_rgb(samples, 8, 2))

    # Every 16-bit value once: 256 x 256 gray, value = y * 256 + x.
    every = np.arange(65536, dtype=np.int64).reshape(256, 256, 1)
    write_png(os.path.join(OUT, "gray16-all-values.png"), every, 16, 0)
    record(manifest, "gray16-all-values.png", expected_rgb(every, 16, 0))
    write_png(os.path.join(OUT, "gray16-all-values-interlaced.png"), every, 16, 0, interlace=True)
    record(manifest, "gray16-all-values-interlaced.png", expected_rgb(every, 16, 0))

    # Check the encoder against Pillow where Pillow's conversion follows the same rules.
    for e in manifest["decode"]:
        if any(t in e["file"] for t in ("16", "gray2", "gray4")):
            continue  # Pillow truncates 16-bit samples and has no 2/4-bit gray conversion rule like ours
        with Image.open(os.path.join(OUT, e["file"])) as im:
            rgb = np.asarray(im.convert("RGBA").convert("RGB") if im.mode in ("P", "LA", "RGBA", "PA") else im.convert("RGB"))
        assert "%016x" % fnv1a64(rgb.tobytes()) == e["fnv1a64"], e["file"]

    # JPEG: a smooth synthetic photo (gradients plus noise), decoded by Pillow.
    jw, jh = 96, 80
    yy, xx = np.mgrid[0:jh, 0:jw]
    photo = np.stack([128 + 100 * np.sin(xx / 9.0), 128 + 90 * np.cos(yy / 7.0), (xx + yy) * 255 // (jw + jh)], axis=2)
    photo = np.clip(photo + rng.normal(0, 12, size=photo.shape), 0, 255).astype(np.uint8)
    src = Image.fromarray(photo, "RGB")
    jpegs = [("baseline-420.jpg", dict(quality=90, subsampling=2)),
             ("baseline-444.jpg", dict(quality=95, subsampling=0)),
             ("progressive-420.jpg", dict(quality=85, subsampling=2, progressive=True)),
             ("baseline-422-odd.jpg", dict(quality=90, subsampling=1))]
    for fname, opts in jpegs:
        img = src.crop((0, 0, 91, 77)) if "odd" in fname else src
        img.save(os.path.join(OUT, fname), "JPEG", **opts)
        with Image.open(os.path.join(OUT, fname)) as im:
            record(manifest, fname, np.asarray(im.convert("RGB")), decoder="pillow")
    src.convert("L").save(os.path.join(OUT, "gray.jpg"), "JPEG", quality=90)
    with Image.open(os.path.join(OUT, "gray.jpg")) as im:
        record(manifest, "gray.jpg", np.asarray(im.convert("RGB")), decoder="pillow")

    # CMYK JPEGs (Adobe, inverted) are refused rather than guessed.
    src.convert("CMYK").save(os.path.join(OUT, "cmyk.jpg"), "JPEG", quality=90)

    # Broken files and what the decoder must say about them.
    def cut(src_name, dst_name, keep):
        data = open(os.path.join(OUT, src_name), "rb").read()
        open(os.path.join(OUT, dst_name), "wb").write(data[:keep(len(data))])

    cut("rgb8.png", "truncated.png", lambda n: n // 2)
    cut("baseline-420.jpg", "truncated.jpg", lambda n: n // 2)
    cut("rgb8.png", "header-only.png", lambda n: 8 + 25)
    data = bytearray(open(os.path.join(OUT, "rgb8.png"), "rb").read())
    data[20] ^= 0xFF  # inside IHDR: its CRC no longer matches
    open(os.path.join(OUT, "bad-crc.png"), "wb").write(bytes(data))
    open(os.path.join(OUT, "random.bin"), "wb").write(bytes(rng.integers(1, 255, size=300, dtype=np.uint8).tolist()))
    open(os.path.join(OUT, "png-signature-then-garbage.png"), "wb").write(
        b"\x89PNG\r\n\x1a\n" + bytes(rng.integers(0, 256, size=200, dtype=np.uint8).tolist()))
    open(os.path.join(OUT, "jpeg-magic-then-garbage.jpg"), "wb").write(
        b"\xff\xd8\xff" + bytes(rng.integers(0, 256, size=200, dtype=np.uint8).tolist()))
    open(os.path.join(OUT, "empty.png"), "wb").write(b"")
    manifest["errors"] = [
        {"file": "truncated.png", "problem": "truncated"},
        {"file": "truncated.jpg", "problem": "truncated"},
        {"file": "header-only.png", "problem": "truncated"},
        {"file": "bad-crc.png", "problem": "corrupt"},
        {"file": "random.bin", "problem": "unknownFormat"},
        {"file": "png-signature-then-garbage.png", "problem": "corrupt"},
        {"file": "jpeg-magic-then-garbage.jpg", "problem": "corrupt"},
        {"file": "empty.png", "problem": "unknownFormat"},
        {"file": "does-not-exist.png", "problem": "missingFile"},
        {"file": "cmyk.jpg", "problem": "unsupported"},
    ]
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print("wrote %d decode fixtures and %d error cases to %s" % (len(manifest["decode"]), len(manifest["errors"]), OUT))


if __name__ == "__main__":
    main()
