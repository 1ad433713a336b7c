#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_safetensors.c.

A handful of small valid files and near-misses, so the fuzzer starts from
structure rather than noise. Standard library only; deterministic output.
Run from anywhere:  python3 tests/fuzz/gen_safetensors_corpus.py
"""
import json
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "safetensors")


def pack(header, data=b"", pad_to=8):
    """header: a dict (dumped compactly) or raw bytes; padded with spaces."""
    h = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    if pad_to:
        h += b" " * (-(8 + len(h)) % pad_to)
    return struct.pack("<Q", len(h)) + h + data


def t(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


F32 = struct.pack("<4f", 1.0, -2.0, 0.5, 3.0)
FILES = {
    "valid_two.safetensors": pack({"__metadata__": {"format": "pt"},
                                   "w": t("F32", [2, 1], 0, 8), "b": t("F32", [2], 8, 16)}, F32),
    "valid_dtypes.safetensors": pack({"h": t("F16", [2], 0, 4), "g": t("BF16", [2], 4, 8),
                                      "i": t("I32", [], 8, 12), "l": t("I64", [1], 12, 20),
                                      "e": t("F32", [0, 3], 20, 20)},
                                     struct.pack("<2H2HiQ", 0x3C00, 0x7BFF, 0x3F80, 0xC049, -5, 7)),
    "valid_misaligned.safetensors": pack({"x": t("F32", [3], 0, 12)}, F32[:12], pad_to=0),
    "valid_empty.safetensors": pack({}),
    "bad_size_mismatch.safetensors": pack({"a": t("F32", [2, 2], 0, 12)}, F32[:12]),
    "bad_overlap.safetensors": pack({"a": t("F32", [2], 0, 8), "b": t("F32", [2], 4, 12)}, F32[:12]),
    "bad_hole.safetensors": pack({"a": t("F32", [1], 0, 4), "b": t("F32", [1], 8, 12)}, F32[:12]),
    "bad_nan.safetensors": pack(b'{"a":{"dtype":"F32","shape":[NaN],"data_offsets":[0,4]}}', F32[:4]),
    "bad_dup.safetensors": pack(b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                                b'"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32[:8]),
    "bad_utf8.safetensors": pack(b'{"\xc0\xaf":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', F32[:4]),
    "bad_header_len.safetensors": struct.pack("<Q", 1 << 40) + b"{}",
    "bad_short.safetensors": b"\x02\x00\x00",
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, blob in sorted(FILES.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(blob)
    print(f"wrote {len(FILES)} files to {OUT}")


if __name__ == "__main__":
    main()
