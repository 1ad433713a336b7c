#!/usr/bin/env python3
"""Golden images for tests/test_image.c, decoded by Pillow itself (development only).

Writes tests/fixtures/images/:

    good/NAME.EXT        small test images (JPEG, PNG, WebP, BMP, GIF), some
                         written by Pillow, the rest byte by byte here where
                         Pillow cannot write them (interlaced and 16-bit PNG,
                         top-down / bitfield / OS/2 / 16-bit BMP, a GIF whose
                         first frame is smaller than its screen)
    NAME.npy             np.asarray(Image.open(f).convert("RGB")), uint8 HWC
    NAME.exif.npy        the same after ImageOps.exif_transpose (EXIF cases)
    bad/NAME             inputs clx must refuse (truncated, corrupt, huge ...)
    expected.json        one entry per file: format, size, animated, lossy, the
                         .npy names; for bad files the clx status and a
                         substring of its message, and what Pillow says
    versions.json        Pillow, its libjpeg-turbo / libwebp / zlib, NumPy

Every expected array comes from Pillow's own decode of the committed file, so
the test compares clx against the reference, not against this script.

    python3 tools/dev/gen_image_golden.py            regenerate the fixtures
    python3 tools/dev/gen_image_golden.py --parity   only print FFmpeg's decoders
                                                     against the committed goldens
                                                     (docs/IMAGES.md)
"""
import io
import json
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import PIL
from PIL import Image, ImageOps, features

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "fixtures", "images")

manifest = {"good": [], "bad": []}


# ------------------------------------------------------------------ content

def picture(w, h, seed=1):
    """Smooth gradients plus noise and hard edges: chroma subsampling, the IDCT
    and upsampling all get something to do."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 127 + 120 * np.sin(x / 5.0 + seed)
    g = 127 + 120 * np.cos(y / 4.0 + x / 9.0)
    b = 255 * ((x // 6 + y // 5) % 2)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 12, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def alpha_plane(w, h):
    y, x = np.mgrid[0:h, 0:w]
    a = (x * 255 // max(w - 1, 1)).astype(np.uint8)
    a[(y % 4) == 0] = 0  # fully transparent rows: their RGB must survive
    return a


# ------------------------------------------------------------------ writers

def png_chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bytes(w, h, bit_depth, color_type, rows, interlace=False, extra=b""):
    """A PNG from raw sample rows (a list of bytes per row, or for interlace
    a function giving the packed row bytes of any pixel subset)."""
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0)
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra +
            png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def pack_samples(samples, bit_depth):
    """One row of samples (ints) packed big-endian at bit_depth."""
    if bit_depth == 16:
        return np.asarray(samples, dtype=">u2").tobytes()
    if bit_depth == 8:
        return np.asarray(samples, dtype=np.uint8).tobytes()
    per = 8 // bit_depth
    out = bytearray((len(samples) + per - 1) // per)
    for i, s in enumerate(samples):
        out[i // per] |= (int(s) & ((1 << bit_depth) - 1)) << (8 - bit_depth * (i % per + 1))
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]


def png_from_array(a, bit_depth, color_type, interlace=False, extra=b""):
    """a: (h, w, channels) samples. Interlaced files carry the Adam7 passes."""
    h, w = a.shape[:2]
    flat = a.reshape(h, w, -1)
    if not interlace:
        rows = [pack_samples(flat[y].reshape(-1), bit_depth) for y in range(h)]
        return png_bytes(w, h, bit_depth, color_type, rows, extra=extra)
    rows = []
    for x0, y0, dx, dy in ADAM7:
        sub = flat[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        rows += [pack_samples(r.reshape(-1), bit_depth) for r in sub]
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1)
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra +
            png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def bmp_bytes(w, h, bits, pixels_rows, header_size=40, compression=0, palette=b"",
              masks=None, top_down=False, colors=0):
    """A BMP from already packed rows (top row first); rows are padded to 4."""
    stride = ((w * bits + 31) >> 3) & ~3
    rows = [r + b"\0" * (stride - len(r)) for r in pixels_rows]
    if not top_down:
        rows = rows[::-1]
    data = b"".join(rows)
    if header_size == 12:
        info = struct.pack("<IHHHH", 12, w, h, 1, bits)
    else:
        info = struct.pack("<IiiHHIIiiII", header_size, w, -h if top_down else h, 1, bits,
                           compression, len(data), 2835, 2835, colors, 0)
        tail = b""
        if masks is not None:
            tail = struct.pack("<" + "I" * len(masks), *masks)
        if header_size == 40:
            info += tail  # masks follow the 40-byte header
        else:
            info += (tail + b"\0" * (header_size - 40))[:header_size - 40]
    off = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", off + len(data), 0, 0, off) + info + palette + data


# ------------------------------------------------------------------ record

def save_good(name, data, fmt, lossy=False, exif=False):
    path = os.path.join(OUT, "good", name)
    with open(path, "wb") as f:
        f.write(data)
    with Image.open(path) as im:
        animated = bool(getattr(im, "is_animated", False))
        rgb = np.asarray(im.convert("RGB"))
    stem = os.path.splitext(name)[0]
    np.save(os.path.join(OUT, stem + ".npy"), rgb)
    entry = {"file": "good/" + name, "format": fmt, "height": int(rgb.shape[0]),
             "width": int(rgb.shape[1]), "animated": animated, "lossy": lossy,
             "expected": stem + ".npy"}
    if exif:
        with Image.open(path) as im:
            t = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
        np.save(os.path.join(OUT, stem + ".exif.npy"), t)
        entry["exif_expected"] = stem + ".exif.npy"
        entry["exif_height"], entry["exif_width"] = int(t.shape[0]), int(t.shape[1])
    manifest["good"].append(entry)


def pil_save(im, fmt, **kw):
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()


def save_bad(name, data, status, message):
    path = os.path.join(OUT, "bad", name)
    with open(path, "wb") as f:
        f.write(data)
    try:
        with Image.open(path) as im:
            im.convert("RGB")
        pil = "decodes"
    except Exception as e:  # what Pillow says, for the record
        pil = f"{type(e).__name__}: {e}"[:160]
    manifest["bad"].append({"file": "bad/" + name, "status": status, "message": message,
                            "pillow": pil})


def exif_bytes(orientation):
    e = Image.Exif()
    e[0x0112] = orientation
    return e.tobytes()


# ------------------------------------------------------------------ cases

def jpeg_cases():
    rgb = Image.fromarray(picture(48, 32))
    save_good("jpeg_420.jpg", pil_save(rgb, "JPEG", quality=90, subsampling=2), "jpeg", True)
    save_good("jpeg_444.jpg", pil_save(rgb, "JPEG", quality=90, subsampling=0), "jpeg", True)
    save_good("jpeg_422.jpg", pil_save(rgb, "JPEG", quality=90, subsampling=1), "jpeg", True)
    save_good("jpeg_progressive.jpg", pil_save(rgb, "JPEG", quality=85, progressive=True),
              "jpeg", True)
    save_good("jpeg_gray.jpg", pil_save(rgb.convert("L"), "JPEG", quality=90), "jpeg", True)
    odd = Image.fromarray(picture(37, 23, seed=3))
    save_good("jpeg_odd_420.jpg", pil_save(odd, "JPEG", quality=75), "jpeg", True)
    save_good("jpeg_odd_progressive.jpg", pil_save(odd, "JPEG", quality=60, progressive=True,
                                                   subsampling=1), "jpeg", True)
    tall = Image.fromarray(picture(30, 20, seed=4))
    save_good("jpeg_exif6.jpg", pil_save(tall, "JPEG", quality=90, exif=exif_bytes(6)), "jpeg",
              True, exif=True)
    save_good("jpeg_cmyk.jpg", pil_save(rgb.convert("CMYK"), "JPEG", quality=90), "jpeg", True)


def png_cases():
    p = picture(33, 21, seed=5)
    save_good("png_rgb.png", pil_save(Image.fromarray(p), "PNG"), "png")
    rgba = np.dstack([p, alpha_plane(33, 21)])
    save_good("png_rgba.png", pil_save(Image.fromarray(rgba, "RGBA"), "PNG"), "png")
    pal = Image.fromarray(p).quantize(colors=40)
    save_good("png_palette.png", pil_save(pal, "PNG"), "png")
    save_good("png_palette_trns.png", pil_save(pal, "PNG", transparency=3), "png")
    # a 4-bit palette of 5 entries with indices past its end (Pillow: black)
    idx = (np.arange(21 * 33).reshape(21, 33, 1) % 16).astype(np.uint8)
    plte = png_chunk(b"PLTE", bytes([200, 10, 10, 10, 200, 10, 10, 10, 200, 90, 90, 90, 1, 2, 3]))
    trns = png_chunk(b"tRNS", bytes([0, 128]))
    save_good("png_palette4_short.png", png_from_array(idx, 4, 3, extra=plte + trns), "png")
    gray = p[:, :, 1:2]
    save_good("png_gray8.png", png_from_array(gray, 8, 0), "png")
    save_good("png_gray1.png", pil_save(Image.fromarray(gray[:, :, 0]).convert("1"), "PNG"),
              "png")
    save_good("png_gray2.png", png_from_array(gray >> 6, 2, 0), "png")
    save_good("png_gray4.png", png_from_array(gray >> 4, 4, 0,
                                              extra=png_chunk(b"tRNS", b"\0\x07")), "png")
    la = np.dstack([gray, alpha_plane(33, 21)])
    save_good("png_gray_alpha.png", pil_save(Image.fromarray(la, "LA"), "PNG"), "png")
    p16 = p.astype(np.uint16) * 257 + np.arange(33, dtype=np.uint16)[None, :, None]
    save_good("png_rgb16.png", png_from_array(p16, 16, 2), "png")
    a16 = (alpha_plane(33, 21).astype(np.uint16) * 257)[:, :, None]
    save_good("png_rgba16.png", png_from_array(np.dstack([p16, a16]), 16, 6), "png")
    # 16-bit gray: Pillow's I;16, whose convert("RGB") clips at 255
    g16 = (np.arange(21 * 33, dtype=np.uint32).reshape(21, 33, 1) * 7 % 600).astype(np.uint16)
    save_good("png_gray16.png", png_from_array(g16, 16, 0), "png")
    save_good("png_gray_alpha16.png", png_from_array(np.dstack([p16[:, :, :1], a16]), 16, 4),
              "png")
    save_good("png_interlaced.png", png_from_array(p, 8, 2, interlace=True), "png")
    save_good("png_interlaced_palette2.png",
              png_from_array((idx & 3), 2, 3, interlace=True,
                             extra=png_chunk(b"PLTE", bytes(range(30, 42)))), "png")
    small = picture(7, 5, seed=9)
    for o in range(1, 9):  # every orientation, through PNG's eXIf chunk
        save_good(f"png_exif{o}.png", pil_save(Image.fromarray(small), "PNG",
                                               exif=exif_bytes(o)), "png", exif=True)


def webp_cases():
    p = Image.fromarray(picture(40, 28, seed=6))
    save_good("webp_lossy.webp", pil_save(p, "WEBP", quality=80), "webp", True)
    save_good("webp_lossless.webp", pil_save(p, "WEBP", lossless=True), "webp")
    rgba = Image.fromarray(np.dstack([picture(40, 28, seed=6), alpha_plane(40, 28)]), "RGBA")
    save_good("webp_alpha_lossy.webp", pil_save(rgba, "WEBP", quality=80), "webp", True)
    save_good("webp_alpha_lossless.webp", pil_save(rgba, "WEBP", lossless=True, exact=True),
              "webp")
    frames = [Image.fromarray(picture(24, 16, seed=s)) for s in (7, 8)]
    save_good("webp_animated.webp", pil_save(frames[0], "WEBP", save_all=True,
                                             append_images=frames[1:], lossless=True,
                                             duration=100), "webp")
    save_good("webp_exif8.webp", pil_save(Image.fromarray(picture(12, 8, seed=2)), "WEBP",
                                          lossless=True, exif=exif_bytes(8)), "webp", exif=True)


def bmp_cases():
    p = picture(29, 19, seed=10)
    save_good("bmp_24.bmp", pil_save(Image.fromarray(p), "BMP"), "bmp")
    rgba = np.dstack([p, alpha_plane(29, 19)])
    save_good("bmp_32.bmp", pil_save(Image.fromarray(rgba, "RGBA"), "BMP"), "bmp")
    pal = Image.fromarray(p).quantize(colors=50)
    save_good("bmp_8_palette.bmp", pil_save(pal, "BMP"), "bmp")
    save_good("bmp_8_gray.bmp", pil_save(Image.fromarray(p[:, :, 0]), "BMP"), "bmp")
    save_good("bmp_1.bmp", pil_save(Image.fromarray(p[:, :, 1]).convert("1"), "BMP"), "bmp")
    h, w = p.shape[:2]
    bgr_rows = [p[y, :, ::-1].tobytes() for y in range(h)]
    save_good("bmp_24_topdown.bmp", bmp_bytes(w, h, 24, bgr_rows, top_down=True), "bmp")
    save_good("bmp_24_core.bmp", bmp_bytes(w, h, 24, bgr_rows, header_size=12), "bmp")
    # 4-bit, a 6-colour palette (indices past it: black), V5 header
    idx = (np.arange(h * w).reshape(h, w) * 5 % 16).astype(np.uint8)
    pal4 = b"".join(bytes([b, g, r, 0]) for r, g, b in
                    [(250, 0, 0), (0, 250, 0), (0, 0, 250), (9, 99, 199), (255, 255, 0),
                     (40, 40, 40)])
    rows4 = [pack_samples(idx[y], 4) for y in range(h)]
    save_good("bmp_4_v5.bmp", bmp_bytes(w, h, 4, rows4, header_size=124, palette=pal4,
                                        colors=6), "bmp")
    # 32-bit BI_BITFIELDS, V4 header, masks for XBGR (bytes X B G R)
    xbgr = [np.dstack([np.full((w,), 7, np.uint8), p[y, :, 2], p[y, :, 1],
                       p[y, :, 0]]).tobytes() for y in range(h)]
    save_good("bmp_32_bitfields_v4.bmp",
              bmp_bytes(w, h, 32, xbgr, header_size=108, compression=3,
                        masks=(0xFF000000, 0xFF0000, 0xFF00, 0)), "bmp")
    # 32-bit BI_BITFIELDS after a 40-byte header (three masks), BGRX
    bgrx = [np.dstack([p[y, :, 2], p[y, :, 1], p[y, :, 0], np.full((w,), 99, np.uint8)])
            .tobytes() for y in range(h)]
    save_good("bmp_32_bitfields.bmp", bmp_bytes(w, h, 32, bgrx, compression=3,
                                                masks=(0xFF0000, 0xFF00, 0xFF)), "bmp")
    # 16-bit: BI_RGB is 5-5-5; bitfields 5-6-5
    v = (np.arange(h * w, dtype=np.uint32).reshape(h, w) * 2749 % 65536).astype(np.uint16)
    rows16 = [v[y].astype("<u2").tobytes() for y in range(h)]
    save_good("bmp_16_555.bmp", bmp_bytes(w, h, 16, rows16), "bmp")
    save_good("bmp_16_565.bmp", bmp_bytes(w, h, 16, rows16, compression=3,
                                          masks=(0xF800, 0x7E0, 0x1F)), "bmp")


def gif_bytes_from_pil(im, **kw):
    return pil_save(im, "GIF", **kw)


def gif_cases():
    p = Image.fromarray(picture(31, 22, seed=11)).quantize(colors=64)
    save_good("gif_single.gif", gif_bytes_from_pil(p), "gif")
    f2 = Image.fromarray(picture(31, 22, seed=12)).quantize(colors=64)
    save_good("gif_animated.gif", gif_bytes_from_pil(p, save_all=True, append_images=[f2],
                                                     duration=100, loop=0), "gif")
    save_good("gif_transparent.gif", gif_bytes_from_pil(p, transparency=5), "gif")
    # first frame smaller than the logical screen, at an offset: the rest is
    # the transparency index (with one) or index 0 (without), as Pillow fills it
    for name, kw in (("gif_subframe_trans.gif", {"transparency": 9}), ("gif_subframe.gif", {})):
        small = Image.fromarray(picture(20, 12, seed=13)).quantize(colors=32)
        b = bytearray(gif_bytes_from_pil(small, **kw))
        b[6:10] = struct.pack("<HH", 30, 20)  # logical screen 30 × 20
        i = b.index(b",", 13 + (3 << ((b[10] & 7) + 1)))  # the image descriptor
        b[i + 1:i + 5] = struct.pack("<HH", 6, 5)  # frame at x 6, y 5
        save_good(name, bytes(b), "gif")
    # a frame reaching past the screen: Pillow grows the image to hold it
    small = Image.fromarray(picture(20, 12, seed=14)).quantize(colors=16)
    b = bytearray(gif_bytes_from_pil(small))
    b[6:10] = struct.pack("<HH", 16, 10)
    i = b.index(b",", 13 + (3 << ((b[10] & 7) + 1)))
    b[i + 1:i + 5] = struct.pack("<HH", 2, 1)
    save_good("gif_frame_past_screen.gif", bytes(b), "gif")
    big = Image.fromarray(picture(40, 33, seed=15)).quantize(colors=200)
    save_good("gif_interlaced.gif", gif_bytes_from_pil(big, interlace=True), "gif")


def bad_cases():
    good = lambda n: open(os.path.join(OUT, "good", n), "rb").read()
    j = good("jpeg_420.jpg")
    save_bad("truncated.jpg", j[:len(j) // 2], "CLX_ERR_FORMAT", "truncated")
    pj = good("jpeg_progressive.jpg")
    save_bad("truncated_progressive.jpg", pj[:len(pj) * 2 // 3], "CLX_ERR_FORMAT", "truncated")
    save_bad("header_only.jpg", j[:300], "CLX_ERR_FORMAT", "truncated")
    pn = good("png_rgb.png")
    save_bad("truncated.png", pn[:len(pn) // 2], "CLX_ERR_FORMAT", "truncated")
    save_bad("truncated.webp", good("webp_lossy.webp")[:200], "CLX_ERR_FORMAT", "WebP")
    bm = good("bmp_24.bmp")
    save_bad("truncated.bmp", bm[:len(bm) - 100], "CLX_ERR_FORMAT", "truncated")
    gi = good("gif_single.gif")
    save_bad("truncated.gif", gi[:len(gi) // 2], "CLX_ERR_FORMAT", "GIF")
    ihdr = lambda w, h: (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                         png_chunk(b"IDAT", zlib.compress(b"\0" * 64)) + png_chunk(b"IEND", b""))
    save_bad("zero_size.png", ihdr(0, 5), "CLX_ERR_FORMAT", "PNG")
    save_bad("huge.png", ihdr(100000, 100000), "CLX_ERR_UNSUPPORTED", "100000")
    # SOF0 of 65000 × 65000 (JPEG's dimensions are 16-bit)
    i = j.index(b"\xff\xc0")
    save_bad("huge.jpg", j[:i + 5] + struct.pack(">HH", 65000, 65000) + j[i + 9:],
             "CLX_ERR_UNSUPPORTED", "65000")
    save_bad("huge.bmp", bmp_bytes(1, 1, 24, [b"\0\0\0"])[:18] + struct.pack("<ii", 100000, 100000) +
             bmp_bytes(1, 1, 24, [b"\0\0\0"])[26:], "CLX_ERR_UNSUPPORTED", "100000")
    g = bytearray(gi)
    g[6:10] = struct.pack("<HH", 65535, 65535)
    save_bad("huge.gif", bytes(g), "CLX_ERR_UNSUPPORTED", "65535")
    save_bad("zero_size.bmp", bmp_bytes(0, 3, 24, [b""] * 3), "CLX_ERR_FORMAT", "BMP")
    save_bad("rle8.bmp", bmp_bytes(2, 2, 8, [b"\x02\x01", b"\x00\x01"], compression=1,
                                   palette=b"\0\0\0\0\xff\xff\xff\0"),
             "CLX_ERR_UNSUPPORTED", "RLE")
    save_bad("bitfields_odd.bmp", bmp_bytes(1, 1, 32, [b"\1\2\3\4"], compression=3,
                                            masks=(0xF00, 0xF0, 0xF)),
             "CLX_ERR_UNSUPPORTED", "bitfields")
    corrupt = bytearray(pn)
    corrupt[40:60] = b"\xa5" * 20  # inside IDAT: zlib or CRC trouble
    save_bad("corrupt.png", bytes(corrupt), "CLX_ERR_FORMAT", "PNG")
    rng = np.random.default_rng(0)
    save_bad("random.bin", rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(),
             "CLX_ERR_UNSUPPORTED", "not a JPEG, PNG, WebP, BMP or GIF")
    save_bad("empty.bin", b"", "CLX_ERR_FORMAT", "empty")


def versions():
    return {"pillow": PIL.__version__, "numpy": np.__version__,
            "libjpeg_turbo": features.version_feature("libjpeg_turbo"),
            "libjpeg_api": features.version_codec("jpg"),
            "libwebp": features.version_module("webp"),
            "zlib": features.version_codec("zlib"),
            "zlib_ng": features.version_feature("zlib_ng")}


# ------------------------------------------------------------------ parity

def parity():
    """FFmpeg's own decoders against Pillow on the lossy fixtures."""
    print("| file | FFmpeg max abs diff | FFmpeg differing values |")
    print("|---|---|---|")
    for e in manifest["good"]:
        if not e["lossy"]:
            continue
        path = os.path.join(OUT, e["file"])
        want = np.load(os.path.join(OUT, e["expected"]))
        r = subprocess.run(["ffmpeg", "-v", "error", "-noautorotate", "-i", path, "-frames:v", "1", "-f",
                            "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True)
        got = np.frombuffer(r.stdout, np.uint8)
        if r.returncode or got.size != want.size:
            print(f"| {e['file']} | ffmpeg failed: {r.stderr.decode()[:60].strip()} | |")
            continue
        d = np.abs(got.reshape(want.shape).astype(int) - want.astype(int))
        print(f"| {e['file']} | {d.max()} | {np.count_nonzero(d)} of {d.size} "
              f"({100.0 * np.count_nonzero(d) / d.size:.1f} %) |")


def main():
    if "--parity" in sys.argv:
        with open(os.path.join(OUT, "expected.json")) as f:
            manifest.update(json.load(f))
        parity()
        return
    for sub in ("good", "bad"):
        os.makedirs(os.path.join(OUT, sub), exist_ok=True)
    jpeg_cases()
    png_cases()
    webp_cases()
    bmp_cases()
    gif_cases()
    bad_cases()
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(versions(), f, indent=1)
        f.write("\n")
    print(f"gen_image_golden: {len(manifest['good'])} good, {len(manifest['bad'])} bad files")


if __name__ == "__main__":
    main()
