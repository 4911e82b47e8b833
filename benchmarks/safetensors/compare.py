#!/usr/bin/env python3
"""LNet's safetensors export and import of the cat model with Adam state, against safetensors.torch, in one run.

    .venv/bin/python benchmarks/safetensors/compare.py [--bench PATH] [--repeat N] [--rounds R] [--json]

Runs `lnet-bench-checkpoint --safetensors` (export: checkpoint → file, atomic and fsync'd; import: file → validated
header → checkpoint) and bench_torch.py (save_file with and without the same fsync and rename; load_file) alternately,
R rounds of N repetitions, on the same tensors and metadata in the same folder. Ratio = LNet / safetensors.torch
(below 1: LNet is faster).
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
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="lnet-bench-safetensors-")
    lnet, torch = [], []
    for _ in range(args.rounds):
        lnet.append(run([args.bench, "--safetensors", "--repeat", str(args.repeat), "--dir", folder, "--json"]))
        torch.append(run([args.python, os.path.join(here, "bench_torch.py"), lnet[-1]["path"], "--repeat", str(args.repeat), "--json"]))
    os.remove(lnet[-1]["path"])
    os.rmdir(folder)
    median = lambda runs, key: statistics.median(r[key] for r in runs)
    summary = {
        "bytes": lnet[-1]["bytes"], "repetitions": args.repeat * args.rounds,
        "safetensors": torch[-1]["version"], "torch": torch[-1]["torch"],
        "lnet_export_s": median(lnet, "write_median_s"), "lnet_import_s": median(lnet, "read_median_s"),
        "torch_save_s": median(torch, "save_median_s"), "torch_save_fsync_s": median(torch, "save_fsync_median_s"),
        "torch_load_s": median(torch, "load_median_s"),
    }
    summary["export_ratio"] = summary["lnet_export_s"] / summary["torch_save_fsync_s"]
    summary["export_ratio_no_fsync_baseline"] = summary["lnet_export_s"] / summary["torch_save_s"]
    summary["import_ratio"] = summary["lnet_import_s"] / summary["torch_load_s"]
    if args.json:
        print(json.dumps(summary))
        return
    print(f"cat model with Adam state, {summary['bytes'] / 1e6:.2f} MB of safetensors; median of {summary['repetitions']} each; "
          f"safetensors {summary['safetensors']}, torch {summary['torch']}; load {os.getloadavg()[0]:.1f}")
    print("| operation | lnet | safetensors.torch | lnet / torch |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| export vs save_file + fsync + rename | {summary['lnet_export_s'] * 1e3:.2f} ms | {summary['torch_save_fsync_s'] * 1e3:.2f} ms | {summary['export_ratio']:.2f} |")
    print(f"| export vs save_file alone (not durable) | {summary['lnet_export_s'] * 1e3:.2f} ms | {summary['torch_save_s'] * 1e3:.2f} ms | {summary['export_ratio_no_fsync_baseline']:.2f} |")
    print(f"| import vs load_file | {summary['lnet_import_s'] * 1e3:.2f} ms | {summary['torch_load_s'] * 1e3:.2f} ms | {summary['import_ratio']:.2f} |")


if __name__ == "__main__":
    main()
