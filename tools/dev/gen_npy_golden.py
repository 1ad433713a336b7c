#!/usr/bin/env python3
"""Golden .npy files for tests/test_npy.c, written by NumPy itself (development only).

For each case this writes tests/fixtures/npy/<case>.npy and <case>.txt, the
values clx must load from it:

    dtype F32|I32|I64          (clx's dtype after loading)
    shape D0 D1 ...            (nothing after "shape" for 0-d)
    one value per line         (C order; floats as repr() of the float32 value,
                                 'nan', 'inf', '-inf')

Files saved with np.save (format 1.0) are also what clx_npy_save must write
byte for byte. fortran_*.npy and bigendian_*.npy are real NumPy files clx
must refuse (their .txt says "error SUBSTRING"). versions.json records the
NumPy version. Rerun only to move to another NumPy:

    python3 tools/dev/gen_npy_golden.py
"""
import io
import json
import math
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures", "npy")

CLX_DTYPE = {"f4": "F32", "f8": "F32", "i4": "I32", "i8": "I64", "u1": "I32", "i1": "I32",
             "b1": "I32"}


def f4_values(shape):
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n, dtype=np.float64)
    return (np.sin(0.7 * i + 0.3) * 10.0 ** (i % 7 - 3)).astype(np.float32).reshape(shape)


CASES = [
    # name, array, version (None: np.save's own choice, which is 1.0 here)
    ("f4_1d", f4_values((7,)), None),
    ("f4_4d", f4_values((2, 3, 1, 5)), None),
    ("f4_0d", np.array(3.5, dtype=np.float32), None),
    ("f4_empty", np.zeros((0,), dtype=np.float32), None),
    ("f4_empty_3d", np.zeros((2, 0, 3), dtype=np.float32), None),
    ("f4_v2", f4_values((3, 4)), (2, 0)),
    ("f4_v3", f4_values((5,)), (3, 0)),
    ("f4_specials", np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38],
                             dtype=np.float32), None),
    ("f8_2d", np.array([[1.0 / 3, -2.5, 1e300], [-1e300, 1e-300, np.nan],
                        [0.1, 16777217.0, -1e-40],
                        # just above FLT_MAX: rounds to FLT_MAX, then to inf
                        [3.4028234663852886e38 + 0.5e31, 3.4028234663852886e38 + 1.5e31,
                         -3.4028234663852886e38 - 0.5e31]], dtype=np.float64), None),
    ("i4_2d", np.array([[0, 1, -1], [2**31 - 1, -2**31, 12345]], dtype=np.int32), None),
    ("i8_1d", np.array([0, -1, 2**62, -2**63, 2**63 - 1, 49407], dtype=np.int64), None),
    ("i8_0d", np.array(-7, dtype=np.int64), None),
    ("i8_v2", np.arange(24, dtype=np.int64).reshape(2, 3, 4) - 12, (2, 0)),
    ("u1_2d", np.array([[0, 1, 255], [128, 7, 0]], dtype=np.uint8), None),
    ("i1_1d", np.array([-128, -1, 0, 1, 127], dtype=np.int8), None),
    ("b1_2d", np.array([[True, False, True, True], [False, False, True, False]]), None),
    ("i4_8d", np.arange(2 * 1 * 2 * 1 * 1 * 3 * 1 * 2, dtype=np.int32).reshape(
        2, 1, 2, 1, 1, 3, 1, 2), None),
]

# Real NumPy files clx must refuse: (name, array, substring of clx's message).
REFUSED = [
    ("fortran_2d", np.asfortranarray(f4_values((2, 3))), "Fortran-order"),
    ("bigendian_f4", f4_values((4,)).astype(">f4"), "big-endian dtype '>f4'"),
    ("object_1d", np.array([1, "a", None], dtype=object), "object arrays are not supported"),
    ("f2_1d", np.array([1.0, 2.0], dtype=np.float16), "dtype '<f2' is not supported"),
    ("structured", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]), "structured"),
]


def value_str(v, kind):
    if kind in "f":
        with np.errstate(over="ignore"):
            v = float(np.float32(v))
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    return str(int(v))


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, a, version in CASES:
        path = os.path.join(OUT, name + ".npy")
        if version is None:
            np.save(path, a)
        else:
            with open(path, "wb") as f:
                np.lib.format.write_array(f, a, version=version)
        b = np.load(path)
        assert b.dtype == a.dtype and b.shape == a.shape
        code = a.dtype.str[1:]
        with open(os.path.join(OUT, name + ".txt"), "w") as f:
            f.write(f"dtype {CLX_DTYPE[code]}\n")
            f.write("shape" + "".join(f" {d}" for d in a.shape) + "\n")
            for v in a.reshape(-1):
                f.write(value_str(v, a.dtype.kind) + "\n")
    for name, a, msg in REFUSED:
        path = os.path.join(OUT, name + ".npy")
        np.save(path, a, allow_pickle=True)
        with open(os.path.join(OUT, name + ".txt"), "w") as f:
            f.write(f"error {msg}\n")
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"numpy": np.__version__, "python": sys.version.split()[0]}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
