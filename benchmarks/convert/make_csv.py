#!/usr/bin/env python3
"""Writes an MNIST-like numeric CSV for the convert benchmarks.

784 pixel columns (p0..p783) and a `label` column. By default the pixels are
integers 0..255 with MNIST's sparsity (about 81% zeros); `--floats` writes them
scaled to [0, 1] with 6 decimals instead, which exercises the float parser;
`--full-floats` writes uniform random floats at full round-trip precision
(17 significant digits, as numpy's repr and pandas.to_csv write them).
Rows are added until the file reaches --megabytes, or --rows of them.
--columns sets the number of feature columns (784 by default).

    .venv/bin/python benchmarks/convert/make_csv.py out.csv --megabytes 100
    .venv/bin/python benchmarks/convert/make_csv.py floats.csv --rows 200000 --columns 30 --full-floats
"""
import argparse

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--floats", action="store_true", help="pixels as decimals in [0, 1]")
    parser.add_argument("--full-floats", action="store_true", help="random floats, 17 significant digits")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--columns", type=int, default=784, help="feature columns")
    parser.add_argument("--rows", type=int, default=0, help="stop after this many rows (0: by --megabytes)")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    target = int(args.megabytes * 1_000_000) if args.rows == 0 else float("inf")
    width = args.columns
    columns = [f"p{i}" for i in range(width)] + ["label"]
    written = 0
    rows = 0
    with open(args.path, "w", newline="") as out:
        header = ",".join(columns) + "\n"
        out.write(header)
        written += len(header)
        while written < target and (args.rows == 0 or rows < args.rows):
            block = 1000
            pixels = rng.integers(1, 256, size=(block, width))
            pixels[rng.random((block, width)) < 0.81] = 0
            labels = rng.integers(0, 10, size=block)
            if args.full_floats:
                values = [[repr(v) for v in row] for row in rng.random((block, width)).tolist()]
            elif args.floats:
                values = [[f"{v / 255:.6f}" for v in row] for row in pixels]
            else:
                values = [[str(v) for v in row] for row in pixels]
            lines = [",".join(row) + f",{label}\n" for row, label in zip(values, labels)]
            for line in lines:
                if written >= target or (args.rows and rows >= args.rows):
                    break
                out.write(line)
                written += len(line)
                rows += 1
    print(f"{args.path}: {rows} rows, {written / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
