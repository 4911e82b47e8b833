"""Writes, with h5py, a file LNetStorage must read back exactly.

usage: write_with_h5py.py OUTFILE
Tests/LNetStorageTests/HDF5/HDF5InteropTests.swift checks every value.
"""
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "w") as f:
    f.attrs["title"] = "written by h5py"                      # vlen str
    f.attrs["epochs"] = 2500                                   # int64
    f.attrs["rate"] = 0.0075                                   # float64
    f.attrs["rate32"] = np.float32(0.5)
    f.attrs["small"] = np.int32(-3)
    f.attrs["byte"] = np.uint8(200)
    f.attrs["short"] = np.int16(-12)                           # reads as Int64
    f.attrs["flag"] = True                                     # numpy bool enum
    f.attrs["fixed"] = np.bytes_(b"fixed-bytes")               # fixed-length |S11
    f.attrs["dims"] = np.array([12288, 20, 7, 5, 1])
    f.attrs["weights"] = np.array([0.25, -1.0], dtype=np.float32)
    f.attrs["mask"] = np.array([True, False])
    f.attrs["names"] = ["relu", "sigmoid"]                     # vlen str array
    f.attrs["fixed_names"] = np.array([b"ab", b"cde"])         # fixed |S3 array
    f.attrs["grid"] = np.arange(6, dtype=np.int64).reshape(2, 3)

    g = f.create_group("data")
    g.attrs["source"] = "h5py"
    x = g.create_dataset(
        "x", data=np.arange(800, dtype=np.float64).reshape(100, 8) / 8,
        chunks=(10, 8), compression="gzip", compression_opts=4, shuffle=True, fletcher32=True)
    x.attrs["scale"] = 8.0
    g.create_dataset("images", data=(np.arange(5 * 4 * 4 * 3) % 256).astype(np.uint8).reshape(5, 4, 4, 3),
                     compression="gzip")
    g.create_dataset("labels", data=np.array([1, 0, 1, 1, 0], dtype=np.int64))
    g.create_dataset("f32", data=np.array([0.5, -2.25, np.inf], dtype=np.float32))
    g.create_dataset("i32", data=np.array([[1, -2], [3, -4]], dtype=np.int32))
    g.create_dataset("i16", data=np.array([-300, 0, 300], dtype=np.int16))
    g.create_dataset("big_endian", data=np.array([1.5, -2.5, 1e-300], dtype=">f8"))
    g.create_dataset("flags", data=np.array([True, False, True, True]))
    g.create_dataset("classes", data=np.array([b"non-cat", b"cat"]))
    g.create_dataset("words", data=["α", "beta", ""], dtype=h5py.string_dtype())
    g.create_dataset("scalar", data=3.5)
    g.create_dataset("growing", data=np.arange(6, dtype=np.float64).reshape(3, 2), maxshape=(None, 2), chunks=(2, 2))
    # Claims 2^40 rows but stores nothing: reading it must be refused, not attempted.
    g.create_dataset("huge", shape=(2**40, 1024), dtype=np.float64, chunks=(1, 1024))
    f.create_group("a/b/c")
    f["link_to_labels"] = h5py.SoftLink("/data/labels")
    f["dangling"] = h5py.SoftLink("/nowhere")
