#!/usr/bin/env python3
"""Writes an MNIST-like numeric CSV for the convert benchmarks.

784 pixel columns (p0..p783) and a `label` column. By default the pixels are
integers 0..255 with MNIST's sparsity (about 81% zeros); `--floats` writes them
scaled to [0, 1] with 6 decimals instead, which exercises the float parser;
`--full-floats` writes uniform random floats at full round-trip precision
(17 significant digits, as numpy's repr and pandas.to_csv write them).
Rows are added until the file reaches --megabytes.

    .venv/bin/python benchmarks/convert/make_csv.py out.csv --megabytes 100
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
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    target = int(args.megabytes * 1_000_000)
    columns = [f"p{i}" for i in range(784)] + ["label"]
    written = 0
    rows = 0
    with open(args.path, "w", newline="") as out:
        header = ",".join(columns) + "\n"
        out.write(header)
        written += len(header)
        while written < target:
            block = 1000
            pixels = rng.integers(1, 256, size=(block, 784))
            pixels[rng.random((block, 784)) < 0.81] = 0
            labels = rng.integers(0, 10, size=block)
            if args.full_floats:
                values = [[repr(v) for v in row] for row in rng.random((block, 784)).tolist()]
            elif args.floats:
                values = [[f"{v / 255:.6f}" for v in row] for row in pixels]
            else:
                values = [[str(v) for v in row] for row in pixels]
            lines = [",".join(row) + f",{label}\n" for row, label in zip(values, labels)]
            for line in lines:
                if written >= target:
                    break
                out.write(line)
                written += len(line)
                rows += 1
    print(f"{args.path}: {rows} rows, {written / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
