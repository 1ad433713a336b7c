#!/usr/bin/env python3
"""gen_decode_corpus.py — seeds for tests/fuzz/fuzz_decode.c in
tests/fuzz/corpus/decode/ (development only: PyAV, NumPy).

Each seed is the target's input: 8 header bytes (codec, width, height,
pixel format, colour space, range, chroma siting, field order; the indices
of fuzz_decode.c's tables) and a payload:
  raw_FMT_*    raw frames of pixel format FMT: a gradient with noise;
  pkt_CODEC    the first packets of a committed test video of that codec,
               each behind a length byte n (1 + 8·n bytes, so packets are
               cut at 2041 bytes), as the target reads them.
Rerun after changing the target's tables.

Usage: tests/fuzz/gen_decode_corpus.py
"""
import os

import av
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus", "decode")
VIDEO = os.path.join(ROOT, "tests", "fixtures", "video")

CODECS = ["rawvideo", "h264", "hevc", "vp9", "mjpeg", "mpeg4", "gif"]
FORMATS = ["yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuv440p", "yuvj440p",
           "yuv410p", "yuv411p", "yuv420p9le", "yuv420p10le", "yuv420p12le", "yuv420p16le",
           "yuv420p10be", "yuv422p10le", "yuv444p10le", "yuv444p12le", "yuv440p10le",
           "yuva420p", "gray", "gray10le", "nv12", "p010le", "rgb24", "bgr0", "pal8"]
# (file, codec) for packet seeds
PACKETS = [("h264.mp4", "h264"), ("hevc10.mkv", "hevc"), ("vp9.webm", "vp9"),
           ("mjpeg.avi", "mjpeg"), ("anim.gif", "gif")]


def header(codec, w, h, fmt=0, cs=2, rng=0, loc=0, field=0):
    return bytes([CODECS.index(codec), (w - 1) % 64, (h - 1) % 64, fmt, cs, rng, loc, field])


def main():
    os.makedirs(OUT, exist_ok=True)
    rs = np.random.RandomState(7)
    cases = [("yuv420p10le", 48, 32, 1, 1, 1, 0), ("yuv420p10le", 63, 37, 2, 2, 2, 1),
             ("yuv420p", 62, 37, 5, 1, 0, 0), ("yuv420p", 64, 48, 2, 0, 0, 3),
             ("yuv440p", 48, 32, 1, 0, 0, 0), ("yuv410p", 33, 17, 6, 1, 0, 0),
             ("yuv420p12le", 31, 9, 9, 2, 3, 2), ("yuv422p10le", 17, 5, 1, 1, 0, 0),
             ("nv12", 16, 16, 1, 1, 0, 0), ("p010le", 20, 12, 9, 1, 0, 0),
             ("pal8", 7, 7, 0, 0, 0, 0), ("rgb24", 9, 3, 0, 0, 0, 0),
             ("gray10le", 12, 12, 0, 2, 0, 0), ("yuv420p10be", 10, 10, 1, 1, 1, 0)]
    for fmt, w, h, cs, rng, loc, field in cases:
        size = w * h * 4
        ramp = (np.arange(size) * 7 % 251).astype(np.uint8)
        payload = (ramp ^ rs.randint(0, 8, size).astype(np.uint8)).tobytes()
        name = f"raw_{fmt}_{w}x{h}"
        data = header("rawvideo", w, h, FORMATS.index(fmt), cs, rng, loc, field) + payload
        open(os.path.join(OUT, name), "wb").write(data)
    for fname, codec in PACKETS:
        with av.open(os.path.join(VIDEO, fname)) as c:
            s = c.streams.video[0]
            w, h = s.codec_context.width, s.codec_context.height
            body = b""
            # MP4/MKV keep H.264/HEVC length-prefixed with the parameter
            # sets in extradata; the NUT stream carries Annex B instead
            bsf = {"h264": "h264_mp4toannexb", "hevc": "hevc_mp4toannexb"}.get(codec)
            f = av.bitstream.BitStreamFilterContext(bsf, s) if bsf else None
            packets = []
            for pkt in c.demux(s):
                if pkt.size == 0:
                    continue
                packets += f.filter(pkt) if f else [pkt]
                if len(packets) >= 3:
                    break
            for pkt in packets[:3]:
                b = bytes(pkt)[:2041]
                n = (len(b) - 1) // 8
                body += bytes([n]) + b[: 1 + 8 * n]
        data = header(codec, min(w, 64), min(h, 64)) + body
        open(os.path.join(OUT, f"pkt_{codec}"), "wb").write(data)
    print(f"{len(os.listdir(OUT))} seeds in {OUT}")


if __name__ == "__main__":
    main()
