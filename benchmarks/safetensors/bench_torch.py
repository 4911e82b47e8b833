"""The baseline of benchmarks/safetensors: safetensors.torch.save_file and load_file on the same tensors and metadata
LNet exports (read once from the file lnet-bench-checkpoint --safetensors left), timed in one process.

usage: bench_torch.py FILE [--repeat N] [--json]

save: save_file(tensors, tmp, metadata), then, for the durable row, os.fsync of the file, rename over the target and
fsync of the folder, as LNet's atomic write does; load: load_file (which validates the header) of the whole file.
"""
import argparse
import json
import os
import statistics
import time

import safetensors
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with safe_open(args.file, framework="pt") as f:
        metadata = f.metadata()
    tensors = load_file(args.file)
    folder = os.path.dirname(os.path.abspath(args.file))
    target = os.path.join(folder, "torch-bench.safetensors")
    temporary = target + ".tmp"
    saves, durable, loads = [], [], []
    for _ in range(args.repeat + 1):
        start = time.perf_counter()
        save_file(tensors, temporary, metadata=metadata)
        saved = time.perf_counter()
        descriptor = os.open(temporary, os.O_RDONLY)
        os.fsync(descriptor)
        os.close(descriptor)
        os.replace(temporary, target)
        descriptor = os.open(folder, os.O_RDONLY)
        os.fsync(descriptor)
        os.close(descriptor)
        synced = time.perf_counter()
        back = load_file(target)
        done = time.perf_counter()
        assert len(back) == len(tensors)
        # Released now, as LNet's import releases its file: otherwise the file replaced by the next save is still
        # mapped, and its deletion (about 5 ms on ext4 for this size) happens after the timed rename instead of in it.
        del back
        saves.append(saved - start)
        durable.append(synced - start)
        loads.append(done - synced)
    os.remove(target)
    # The first round loads the libraries' code paths: left out.
    result = {"tool": "safetensors.torch", "version": safetensors.__version__, "torch": torch.__version__,
              "repeat": args.repeat, "tensors": len(tensors),
              "save_median_s": statistics.median(saves[1:]), "save_fsync_median_s": statistics.median(durable[1:]),
              "load_median_s": statistics.median(loads[1:])}
    print(json.dumps(result) if args.json else result)


if __name__ == "__main__":
    main()
