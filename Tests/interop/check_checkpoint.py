"""Checks an LNet checkpoint against formats/checkpoint.md with h5py alone.

usage: check_checkpoint.py CHECKPOINT [DATA.h5]
With DATA.h5, also checks that data_sha256 is the data's fingerprint as
formats/dataset.md defines it. Exits 1 and lists the problems on any mismatch.
"""
import sys

import h5py

import lnet_format

path = sys.argv[1]
problems = lnet_format.check_checkpoint(path)
if len(sys.argv) > 2:
    with h5py.File(sys.argv[2], "r") as data, h5py.File(path, "r") as ckpt:
        x_name = lnet_format.text(ckpt["training"].attrs["x_name"])
        y_name = lnet_format.text(ckpt["training"].attrs["y_name"])
        expected = lnet_format.fingerprint(data[x_name][()], data[y_name][()])
        recorded = lnet_format.text(ckpt["training"].attrs["data_sha256"])
        if expected != recorded:
            problems.append(f"data_sha256 {recorded} is not the fingerprint {expected}")
for problem in problems:
    print(f"{path}: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
