#!/usr/bin/env python3
"""Writes a float64 dataset file larger than the streaming benchmark's memory
budget, in blocks, with h5py: x (m, n) chunked along rows (64 rows a chunk,
uncompressed, as one would store data meant to be read by rows), y int64
from a linear rule so there is something to learn.

    make_dataset.py OUT.h5 --examples M --features N [--seed S]
"""
import argparse

import h5py
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--examples", type=int, required=True)
parser.add_argument("--features", type=int, required=True)
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()
m, n = args.examples, args.features
rng = np.random.default_rng(args.seed)
weights = rng.standard_normal(n)
block = max(1, (64 << 20) // (8 * n))
with h5py.File(args.out, "w") as f:
    x = f.create_dataset("x", shape=(m, n), dtype="<f8", chunks=(min(64, m), n))
    y = f.create_dataset("y", shape=(m,), dtype="<i8")
    for start in range(0, m, block):
        end = min(m, start + block)
        values = rng.standard_normal((end - start, n))
        x[start:end] = values
        y[start:end] = (values @ weights > 0).astype(np.int64)
