#!/usr/bin/env python3
"""The baseline that `lnet convert` must beat by 1.5x: pandas.read_csv + h5py.

Reads the CSV (label column last, as make_csv.py writes it), writes features
as float64 `x` and labels as int64 `y` to an HDF5 file, and reports the time of
each step, the throughput over the CSV's size, and the peak RSS.

    .venv/bin/python benchmarks/convert/bench_pandas.py data.csv out.h5 [--repeat 3] [--compression L]

--compression L (1-9) writes both datasets with shuffle + gzip level L, x in
chunks of whole rows of about 1 MiB, as `lnet convert --compression L` does;
0 (the default) writes them contiguous and unfiltered, h5py's default.
"""
import argparse
import os
import resource
import time

import h5py
import numpy as np
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv")
    parser.add_argument("h5")
    parser.add_argument("--repeat", type=int, default=1, help="report the fastest of N runs")
    parser.add_argument("--compression", type=int, default=0, help="gzip level with shuffle (0: none)")
    args = parser.parse_args()

    size = os.path.getsize(args.csv)
    best = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        cpu_start = time.process_time()
        frame = pd.read_csv(args.csv)
        parsed = time.perf_counter()
        cpu_parsed = time.process_time()
        x = frame.iloc[:, :-1].to_numpy(dtype=np.float64)
        y = frame.iloc[:, -1].to_numpy(dtype=np.int64)
        with h5py.File(args.h5, "w") as out:
            if args.compression > 0:
                rows = max(1, (1 << 20) // max(1, x.shape[1] * x.itemsize))
                filters = {"compression": "gzip", "compression_opts": args.compression, "shuffle": True}
                out.create_dataset("x", data=x, chunks=(min(rows, max(1, x.shape[0])), x.shape[1]), **filters)
                out.create_dataset("y", data=y, chunks=True, **filters)
            else:
                out.create_dataset("x", data=x)
                out.create_dataset("y", data=y)
        done = time.perf_counter()
        cpu_done = time.process_time()
        del frame, x, y
        run = (parsed - start, done - start, cpu_parsed - cpu_start, cpu_done - cpu_start)
        best = run if best is None or run[1] < best[1] else best
    read_s, total_s, read_cpu, total_cpu = best
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(f"file: {args.csv} ({size / 1e6:.1f} MB), pandas {pd.__version__}")
    # CPU seconds too: on a shared machine they vary far less than wall time.
    print(f"pandas.read_csv: {read_s:.3f} s = {size / 1e6 / read_s:.1f} MB/s (CPU {read_cpu:.3f} s = {size / 1e6 / read_cpu:.1f} MB/s)")
    print(f"read_csv + h5py write: {total_s:.3f} s = {size / 1e6 / total_s:.1f} MB/s (CPU {total_cpu:.3f} s = {size / 1e6 / total_cpu:.1f} MB/s)")
    print(f"peak RSS: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
