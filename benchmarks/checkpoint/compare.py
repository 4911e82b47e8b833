#!/usr/bin/env python3
"""LNet's checkpoint save and load against h5py, in one run.

    .venv/bin/python benchmarks/checkpoint/compare.py [--bench PATH] [--repeat N] [--rounds R] [--json]

Runs the release `lnet-bench-checkpoint` and bench_h5py.py alternately, R rounds of
N repetitions each (the machine is shared: alternating spreads the load over both),
in the same folder, and reports the median over all repetitions of: the atomic
fsync'd write, and the read of every tensor (validated, on LNet's side). Ratio =
LNet time / h5py time (below 1: LNet is faster).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def run(arguments):
    result = subprocess.run(arguments, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{arguments[0]} failed: {result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=os.path.join(root, ".build-bench/release/lnet-bench-checkpoint"))
    parser.add_argument("--python", default=os.path.join(root, ".venv/bin/python"))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where the files are written (default: a new folder in /tmp)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args()
    folder = args.dir or tempfile.mkdtemp(prefix="lnet-bench-checkpoint-")
    runs = {"lnet": [], "h5py": []}
    for _ in range(args.rounds):
        common = ["--repeat", str(args.repeat), "--dir", folder, "--json"]
        runs["lnet"].append(run([args.bench] + common))
        runs["h5py"].append(run([args.python, os.path.join(here, "bench_h5py.py")] + common))
    if args.dir is None:
        os.rmdir(folder)
    summary = {}
    for tool, results in runs.items():
        summary[tool] = {
            "bytes": results[-1]["bytes"],
            # the median of the per-round medians, and the best minimum
            "write_s": statistics.median(r["write_median_s"] for r in results),
            "read_s": statistics.median(r["read_median_s"] for r in results),
            "write_min_s": min(r["write_min_s"] for r in results),
            "read_min_s": min(r["read_min_s"] for r in results),
        }
    summary["h5py"]["version"] = runs["h5py"][-1]["h5py"]
    summary["h5py"]["hdf5"] = runs["h5py"][-1]["hdf5"]
    summary["write_ratio"] = summary["lnet"]["write_s"] / summary["h5py"]["write_s"]
    summary["read_ratio"] = summary["lnet"]["read_s"] / summary["h5py"]["read_s"]
    summary["repetitions"] = args.repeat * args.rounds
    if args.json:
        print(json.dumps(summary))
        return
    lnet, h5py = summary["lnet"], summary["h5py"]
    print(f"cat checkpoint with Adam state: lnet {lnet['bytes'] / 1e6:.2f} MB, h5py {h5py['bytes'] / 1e6:.2f} MB; "
          f"median of {summary['repetitions']} each; load {os.getloadavg()[0]:.1f}")
    print("| operation | lnet | h5py | lnet / h5py |")
    print("| --- | ---: | ---: | ---: |")
    for key, label in (("write", "save (atomic, fsync'd)"), ("read", "load (every tensor; lnet validates)")):
        print(f"| {label} | {lnet[key + '_s'] * 1e3:.2f} ms | {h5py[key + '_s'] * 1e3:.2f} ms | "
              f"{summary[key + '_ratio']:.2f} |")


if __name__ == "__main__":
    main()
