#!/usr/bin/env python3
"""Moons with Adam (samples/moons.h5, 5000 epochs) trained by `lnet train` with
and without `--checkpoint`, interleaved, fastest of N each: what checkpoints
cost at the default cadence (issue 14: at most 1.15x the run without).

    .venv/bin/python benchmarks/checkpoint/moons_cadence.py --lnet .build-bench/release/lnet [--repeat 5] [--json]

Also times `--checkpoint-every 100`, the cadence before issue 14 (50 saves,
each fsync'd; now written in the background). The checkpoints go to a folder
on the same disk as the repository (not /tmp, which may be memory), so fsync
does reach the disk.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def run(arguments):
    """Wall and CPU seconds (user + sys) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lnet", default=os.path.join(root, ".build-bench", "release", "lnet"))
    parser.add_argument("--epochs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    moons = os.path.join(root, "samples", "moons.h5")
    base = [args.lnet, "train", "--data", moons, "--layers", "5,2,1", "--optimizer", "adam",
            "--epochs", str(args.epochs), "--print-every", "1000"]
    folder = tempfile.mkdtemp(prefix=".bench-cadence-", dir=root)
    checkpoint = os.path.join(folder, "moons.h5")
    variants = {
        "without": base,
        "default": base + ["--checkpoint", checkpoint],
        "every100": base + ["--checkpoint", checkpoint, "--checkpoint-every", "100"],
    }
    best = {name: None for name in variants}
    try:
        for _ in range(args.repeat):
            for name, arguments in variants.items():  # interleaved: the machine's load hits all alike
                # A new checkpoint each time, as a first run makes it (no --force, no probe of an old one).
                if os.path.exists(checkpoint):
                    os.remove(checkpoint)
                wall, cpu = run(arguments)
                if best[name] is None or wall < best[name][0]:
                    best[name] = (wall, cpu)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {"epochs": args.epochs, "repeat": args.repeat,
              **{f"{name}_wall_s": value[0] for name, value in best.items()},
              **{f"{name}_cpu_s": value[1] for name, value in best.items()}}
    if args.json:
        print(json.dumps(result))
        return
    for name in variants:
        print(f"{name:>9}: {best[name][0]:.3f} s wall ({best[name][1]:.3f} s CPU), "
              f"{best[name][0] / best['without'][0]:.2f}x the run without")


if __name__ == "__main__":
    main()
