"""Dumps the course's cat data set as raw little-endian float64 for lnet-bench-training.

x = train_set_x.reshape(m, -1) / 255, transposed to (n_x, m) and written row-major
(one feature row after another); y as float64; the shape as "n_x m" in a text file.
Usage: .venv/bin/python benchmarks/training/dump_cat.py OUTDIR
"""
import os
import sys

import h5py
import numpy as np

DATASETS = "/work/shared/datasets"
out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/lnet-cat"
os.makedirs(out, exist_ok=True)
for name, file, xkey, ykey in [("train", "train_catvnoncat.h5", "train_set_x", "train_set_y"),
                               ("test", "test_catvnoncat.h5", "test_set_x", "test_set_y")]:
    with h5py.File(os.path.join(DATASETS, file), "r") as f:
        x = np.array(f[xkey])
        y = np.array(f[ykey])
    m = x.shape[0]
    X = np.ascontiguousarray((x.reshape(m, -1) / 255).T, dtype="<f8")
    X.tofile(os.path.join(out, name + "_x.f64"))
    y.astype("<f8").tofile(os.path.join(out, name + "_y.f64"))
    with open(os.path.join(out, name + "_shape.txt"), "w") as f:
        f.write("%d %d\n" % X.shape)
print(out)
