"""`lnet train` against the course's numpy implementation, side by side in one run.

  .venv/bin/python benchmarks/training/compare.py [--lnet PATH] [--cat-epochs N] [--moons-epochs N]
                                                  [--repeat N] [--cat-repeat N] [--json]

Times the release `lnet train` command (process start, HDF5 loading and all) and
numpy_reference.py (the course's L_model_forward / L_model_backward / Adam, with the
data already in memory) on:
  * moons (samples/moons.h5): [2,5,2,1], He init seed 3, batch 64, lr 0.0007, gd/momentum/adam;
  * cat (../shared/datasets): [12288,20,7,5,1], deep init seed 1, full-batch gd, lr 0.0075,
    against the course's code (its L_model_backward also computes dA0 = W1.T dZ1, an X-sized
    product LNet skips) and, on a second row, against numpy skipping dA0 as LNet does.
Prints wall and CPU seconds for both and their ratio. The machines are shared and noisy (the
same run's time swings by half from one minute to the next), so each side runs --repeat times
(--cat-repeat for the cat model), the two alternating, and the fastest run of each is
compared, as timeit does. With --json, prints one JSON object instead (the rows,
for benchmarks/report.py).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, here)
import numpy_reference as ref  # noqa: E402


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_lnet(arguments):
    wall, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run(arguments, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - wall, children_cpu() - cpu
    if result.returncode != 0:
        sys.exit(f"lnet failed: {result.stderr}")
    return wall, cpu, result.stdout


def time_numpy(body):
    wall, cpu = time.perf_counter(), time.process_time()
    result = body()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def fastest_of(repeat, lnet_arguments, *numpy_bodies):
    """Alternates lnet and each numpy body `repeat` times; returns the fastest
    (wall, cpu, output) of lnet, then of each body."""
    lnet_runs, numpy_runs = [], [[] for _ in numpy_bodies]
    for _ in range(max(1, repeat)):
        lnet_runs.append(time_lnet(lnet_arguments))
        for runs, body in zip(numpy_runs, numpy_bodies):
            runs.append(time_numpy(body))
    fastest = lambda runs: min(runs, key=lambda run: run[0])  # noqa: E731
    return (fastest(lnet_runs),) + tuple(fastest(runs) for runs in numpy_runs)


rows = []
as_json = False


def row(name, lnet, numpy_, note=""):
    rows.append({"name": name, "lnet_wall_s": lnet[0], "lnet_cpu_s": lnet[1], "numpy_wall_s": numpy_[0],
                 "numpy_cpu_s": numpy_[1], "note": note})
    if as_json:
        return
    print(f"| {name} | {lnet[0]:.3f} s ({lnet[1]:.3f}) | {numpy_[0]:.3f} s ({numpy_[1]:.3f}) | "
          f"{numpy_[0] / lnet[0]:.1f}× | {note} |", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lnet", default=os.path.join(root, ".build/release/lnet"))
    parser.add_argument("--moons-epochs", type=int, default=5000)
    parser.add_argument("--cat-epochs", type=int, default=2500)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each moons model per side (fastest counts)")
    parser.add_argument("--cat-repeat", type=int, default=2, help="runs of the cat model per side (fastest counts)")
    parser.add_argument("--json", action="store_true", help="print one JSON object with every row")
    args = parser.parse_args()
    global as_json
    as_json = args.json
    for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        os.environ.pop(variable, None)  # they slow a current numpy (see the env notes)

    if not as_json:
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
              f"lnet {args.lnet}; numpy {np.__version__}; fastest of {args.repeat} (moons), {args.cat_repeat} (cat)")
        print("| model | lnet train wall (cpu) | numpy wall (cpu) | numpy / lnet | |")
        print("| --- | ---: | ---: | ---: | --- |")

    moons = os.path.join(root, "samples/moons.h5")
    with h5py.File(moons, "r") as f:
        X, y = f["x"][()].T.copy(), f["y"][()]
    for optimizer in ("gd", "momentum", "adam"):
        lnet, numpy_ = fastest_of(
            args.repeat,
            [args.lnet, "train", "--data", moons, "--layers", "5,2,1", "--optimizer", optimizer,
             "--epochs", str(args.moons_epochs), "--print-every", "1000"],
            lambda: ref.train(X, y, [2, 5, 2, 1], ["relu", "relu"], "sigmoid", "he", 3, optimizer,
                              0.0007, args.moons_epochs))
        first = lnet[2].splitlines()[0]
        same = f"{numpy_[2]['costs'][0]:.6f}" in first
        row(f"moons {optimizer}, {args.moons_epochs} epochs", lnet, numpy_, "same epoch-0 cost" if same else "COSTS DIFFER")

    shared = os.path.join(os.path.dirname(root), "shared/datasets")
    train, test = os.path.join(shared, "train_catvnoncat.h5"), os.path.join(shared, "test_catvnoncat.h5")
    if not os.path.exists(train):
        if as_json:
            print(json.dumps({"numpy": np.__version__, "rows": rows, "repeat": args.repeat, "cat": "skipped: no " + train}))
        else:
            print(f"(cat skipped: {train} not found)")
        return
    with h5py.File(train, "r") as f:
        Xc = (f["train_set_x"][()].reshape(209, -1) / 255.).T.copy()
        yc = f["train_set_y"][()]
    def cat_numpy(input_gradient):
        return lambda: ref.train(Xc, yc, [12288, 20, 7, 5, 1], ["relu"] * 3, "sigmoid", "deep", 1, "gd",
                                 0.0075, args.cat_epochs, batch_size=209, input_gradient=input_gradient)
    # The course's L_model_backward also computes dA0 = W1.T dZ1, a third pass over an
    # X-sized matrix that LNet skips; the second numpy row skips it too.
    lnet, course, skipping = fastest_of(
        args.cat_repeat,
        [args.lnet, "train", "--data", train, "--test", test, "--layers", "20,7,5,1", "--init", "deep",
         "--seed", "1", "--optimizer", "gd", "--learning-rate", "0.0075", "--batch-size", "209",
         "--epochs", str(args.cat_epochs), "--print-every", "100"],
        cat_numpy(True), cat_numpy(False))
    floor = 2 * 2.2e-3 * args.cat_epochs
    row(f"cat, {args.cat_epochs} epochs", lnet, course,
        f"numpy: the course's L_model_backward (computes dA0). The issue's floor ≈ {floor:.1f} s (2 passes over X "
        f"an epoch at ≈2.2 ms); LNet's two X products take ≈3.8 ms an epoch here, ≈{3.8e-3 * args.cat_epochs:.1f} s "
        f"(benchmarks/blas/layouts.c)")
    row(f"cat, {args.cat_epochs} epochs, numpy without dA0", lnet, skipping,
        "numpy given LNet's shortcut: dA0 is not computed")
    if as_json:
        print(json.dumps({"numpy": np.__version__, "rows": rows, "repeat": args.repeat, "cat_repeat": args.cat_repeat}))
        return
    print()
    print(lnet[2].strip())


if __name__ == "__main__":
    main()
