"""The values the LNetStorage interop tests exchange with h5py, in one place.

check_lnet_written.py compares a file LNetStorage wrote against EXPECTED_LNET;
write_with_h5py.py writes H5PY_FILE for the Swift side to read back. The Swift
tests (Tests/LNetStorageTests/HDF5/HDF5InteropTests.swift) hold the same
values; change both together.
"""
import numpy as np

LONG = "long " + "x" * 300

# Attributes of every kind LNetStorage writes, as h5py gives them back:
# name -> (numpy dtype name or "str", value). Scalars read as numpy scalars,
# arrays as arrays; LNetStorage writes strings as variable-length UTF-8.
ATTRIBUTES = {
    "i64": ("int64", -7),
    "i32": ("int32", 123456),
    "u8": ("uint8", 255),
    "f64": ("float64", 0.0075),
    "f32": ("float32", 1.5),
    "yes": ("bool", True),
    "no": ("bool", False),
    "text": ("str", "L-layer network, α = 0.0075"),
    "empty_text": ("str", ""),
    "i64s": ("int64", [12288, 20, 7, 5, 1]),
    "i32s": ("int32", [-1, 0, 1]),
    "u8s": ("uint8", [0, 128, 255]),
    "f64s": ("float64", [0.5, -1e-300, np.inf]),
    "f32s": ("float32", [0.25]),
    "bools": ("bool", [True, False, True]),
    "texts": ("str", ["non-cat", "cat", ""]),
}


def lnet_datasets():
    """path -> (dtype name, shape, values) for the file LNetStorage writes."""
    return {
        "/numbers/f64": ("float64", (2, 3), np.array([1.5, -2, 3.25, 0, 1e300, -np.inf])),
        "/numbers/f32": ("float32", (3,), np.array([1.25, -0.5, np.nan], dtype=np.float32)),
        "/numbers/i64": ("int64", (2, 2, 2), np.arange(8, dtype=np.int64) * 1000000007),
        "/numbers/i32": ("int32", (4,), np.array([-2**31, -1, 0, 2**31 - 1], dtype=np.int32)),
        "/numbers/u8": ("uint8", (2, 2), np.array([0, 1, 254, 255], dtype=np.uint8)),
        "/numbers/scalar": ("float64", (), np.array(42.0)),
        "/numbers/empty": ("float64", (0, 3), np.zeros((0,))),
        "/flags": ("bool", (5,), np.array([True, False, False, True, True])),
        "/strings/fixed": ("|S7", (2,), np.array([b"non-cat", b"cat"])),
        "/strings/vlen": ("str", (2, 2), ["α", "", LONG, "z"]),
        "/strings/scalar": ("str", (), ["scalar"]),
        "/compressed/x": ("float64", (256, 16), np.arange(4096) % 7.0),
        "/extendable/x": ("float32", (3, 3), np.arange(1, 10, dtype=np.float32)),
        "/extendable/names": ("str", (3,), ["a", "b", "ç"]),
    }


# Storage the LNet-written file must show: path -> (chunks, filters, maxshape).
LNET_STORAGE = {
    "/compressed/x": ((64, 16), {"compression": "gzip", "compression_opts": 6, "shuffle": True, "fletcher32": True}, (256, 16)),
    "/extendable/x": (None, {"compression": "gzip", "compression_opts": 4, "shuffle": True, "fletcher32": False}, (None, 3)),
}

# Where LNetStorage puts the attributes of every kind.
ATTRIBUTE_OWNERS = ["/", "/numbers", "/compressed/x"]
