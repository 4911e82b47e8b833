"""Checks, with h5py and numpy, a file that LNetStorage wrote.

usage: check_lnet_written.py FILE
The expected contents are in storage_spec.py. Prints every mismatch on stderr
and exits 1 if there is any, so the Swift test shows exactly what differs.
"""
import sys

import h5py
import numpy as np

import storage_spec

path = sys.argv[1]
problems = []


def expect(condition, message):
    if not condition:
        problems.append(message)


def same(actual, expected):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        return False
    if actual.dtype.kind == "f":
        return np.array_equal(actual, expected, equal_nan=True)
    return np.array_equal(actual, expected)


with h5py.File(path, "r") as f:
    for name, (dtype, shape, values) in storage_spec.lnet_datasets().items():
        if name not in f:
            problems.append(f"{name}: missing")
            continue
        d = f[name]
        expect(d.shape == shape, f"{name}: shape {d.shape}, expected {shape}")
        if dtype == "str":
            info = h5py.check_string_dtype(d.dtype)
            expect(info is not None and info.length is None and info.encoding == "utf-8",
                   f"{name}: dtype {d.dtype} ({info}), expected variable-length UTF-8 str")
            got = [s.decode("utf-8") for s in np.asarray(d[()]).reshape(-1)]
            expect(got == values, f"{name}: {got!r}, expected {values!r}")
        else:
            expect(d.dtype.str.lstrip("<>|=") == np.dtype(dtype).str.lstrip("<>|=") and d.dtype.name == np.dtype(dtype).name,
                   f"{name}: dtype {d.dtype}, expected {dtype}")
            got = d[()]
            expect(same(np.asarray(got).reshape(-1), values.reshape(-1)),
                   f"{name}: values {np.asarray(got).reshape(-1)[:8]}…, expected {values.reshape(-1)[:8]}…")
    rows = f["/compressed/x"][64:70]
    expect(same(rows.reshape(-1), (np.arange(64 * 16, 70 * 16) % 7.0)), "/compressed/x: rows 64..<70 differ")
    for name, (chunks, filters, maxshape) in storage_spec.LNET_STORAGE.items():
        d = f[name]
        if chunks is not None:
            expect(d.chunks == chunks, f"{name}: chunks {d.chunks}, expected {chunks}")
        else:
            expect(d.chunks is not None, f"{name}: not chunked")
        for key, value in filters.items():
            expect(getattr(d, key) == value, f"{name}: {key} is {getattr(d, key)!r}, expected {value!r}")
        expect(d.maxshape == maxshape, f"{name}: maxshape {d.maxshape}, expected {maxshape}")
    for owner in storage_spec.ATTRIBUTE_OWNERS:
        attrs = f[owner].attrs
        expect(sorted(attrs.keys()) == sorted(storage_spec.ATTRIBUTES),
               f"{owner}: attribute names {sorted(attrs.keys())}")
        for name, (dtype, value) in storage_spec.ATTRIBUTES.items():
            if name not in attrs:
                continue
            got = attrs[name]
            where = f"{owner} attribute {name}"
            if dtype == "str":
                if isinstance(value, list):
                    info = h5py.check_string_dtype(got.dtype)
                    expect(info is not None and info.length is None, f"{where}: dtype {got.dtype}, expected vlen str")
                    expect(list(got) == value, f"{where}: {got!r}, expected {value!r}")
                else:
                    expect(isinstance(got, str) and got == value, f"{where}: {got!r}, expected {value!r}")
            elif isinstance(value, list):
                expect(isinstance(got, np.ndarray) and got.dtype == np.dtype(dtype) and got.shape == (len(value),),
                       f"{where}: {got!r}, expected a {dtype} array of {len(value)}")
                expect(same(got, np.array(value, dtype=dtype)), f"{where}: {got!r}, expected {value!r}")
            else:
                expect(np.ndim(got) == 0 and np.asarray(got).dtype == np.dtype(dtype),
                       f"{where}: {got!r} ({type(got).__name__}), expected a {dtype} scalar")
                expect(got == np.array(value, dtype=dtype), f"{where}: {got!r}, expected {value!r}")

for problem in problems:
    print(f"{path}: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
