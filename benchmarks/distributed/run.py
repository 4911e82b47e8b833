#!/usr/bin/env python3
"""Scaling of `lnet train --distributed` on one machine: 1 and 2 MPI ranks (and the plain single
process beside them) on 60,000 x 784 generated float64 examples, layers 128,64,10, Adam, batch 256.

Time per epoch is the difference of a 3-epoch and a 1-epoch run, divided by 2, so that start-up,
MPI_Init and loading the data cancel out. The allreduce time per step is measured by
lnet-bench-allreduce on a vector as long as the network's gradient (plus its loss), under the
same mpirun. Prints a table and, last, one JSON line (benchmarks/report.py reads it).

Usage: run.py LNET LNET_BENCH_ALLREDUCE [--examples 60000]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

import h5py
import numpy as np


def timed(arguments, env):
    started = time.perf_counter()
    result = subprocess.run(arguments, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(arguments)} exited {result.returncode}: {result.stderr[-600:]}")
    return elapsed, result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("lnet")
    parser.add_argument("allreduce")
    parser.add_argument("--examples", type=int, default=60_000)
    args = parser.parse_args()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    folder = tempfile.mkdtemp(prefix="lnet-distributed-")
    try:
        data = os.path.join(folder, "data.h5")
        generator = np.random.RandomState(0)
        x = generator.rand(args.examples, 784)
        teacher = generator.randn(784, 10)
        with h5py.File(data, "w") as f:
            f["x"] = x
            f["y"] = np.argmax(x @ teacher, axis=1).astype(np.int64)
        del x
        common = ["train", "--data", data, "--layers", "128,64,10", "--optimizer", "adam", "--batch-size", "256",
                  "--quiet"]
        mpirun = ["mpirun", "--bind-to", "core"]
        runs = {
            "single process": lambda epochs: [args.lnet] + common + ["--epochs", str(epochs)],
            "1 rank": lambda epochs: mpirun + ["-np", "1", args.lnet] + common + ["--epochs", str(epochs), "--distributed"],
            "2 ranks": lambda epochs: mpirun + ["-np", "2", args.lnet] + common + ["--epochs", str(epochs), "--distributed"],
        }
        per_epoch = {}
        for name, command in runs.items():
            one = min(timed(command(1), env)[0] for _ in range(2))
            three = min(timed(command(3), env)[0] for _ in range(2))
            per_epoch[name] = (three - one) / 2
            print(f"{name}: 1 epoch {one:.2f} s, 3 epochs {three:.2f} s, per epoch {per_epoch[name]:.3f} s", file=sys.stderr)
        gradient = 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10 + 1
        _, out = timed(mpirun + ["-np", "2", args.allreduce, str(gradient), "500"], env)
        allreduce = json.loads(out.strip().splitlines()[-1])["seconds_per_allreduce"]
        steps = (args.examples + 255) // 256
        result = {
            "examples": args.examples, "layers": "784,128,64,10", "batch_size": 256,
            "single_process_epoch_seconds": per_epoch["single process"],
            "one_rank_epoch_seconds": per_epoch["1 rank"], "two_ranks_epoch_seconds": per_epoch["2 ranks"],
            "speedup_two_ranks": per_epoch["1 rank"] / per_epoch["2 ranks"],
            "allreduce_doubles": gradient, "allreduce_seconds_per_step": allreduce,
            "allreduce_share_of_two_rank_epoch": allreduce * steps / per_epoch["2 ranks"],
        }
        print(f"speed-up with 2 ranks: {result['speedup_two_ranks']:.2f}; allreduce of {gradient} doubles: "
              f"{allreduce * 1e3:.3f} ms a step, {result['allreduce_share_of_two_rank_epoch'] * 100:.1f} % of an epoch",
              file=sys.stderr)
        print(json.dumps(result))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
