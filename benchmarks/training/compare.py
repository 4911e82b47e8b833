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
A third column is PyTorch CPU (torch_reference.py: the same models written as a PyTorch
user would, its training loop timed with the data already in memory); for the cat model
it runs --torch-cat-epochs epochs (PyTorch's CPU build takes seconds an epoch on some
machines) and its time is scaled to the row's epochs, as the row says. The cat model
also runs with `--dtype float32`, alternating with the float64 run, and the row gives
LNet's float64 / float32 ratio from the same run.
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
torch_python = None


def time_torch(arguments, scale=1.0):
    """torch_reference.py's training-loop time (wall, cpu), multiplied by `scale`."""
    result = subprocess.run([torch_python, os.path.join(here, "torch_reference.py")] + arguments,
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["wall_s"] * scale, report["cpu_s"] * scale, report


def fastest_torch(repeat, arguments, scale=1.0):
    runs = [run for run in (time_torch(arguments, scale) for _ in range(max(1, repeat))) if run]
    return min(runs, key=lambda run: run[0]) if runs else None


def row(name, lnet, numpy_, note="", torch_=None, torch_note=""):
    entry = {"name": name, "lnet_wall_s": lnet[0], "lnet_cpu_s": lnet[1], "numpy_wall_s": numpy_[0],
             "numpy_cpu_s": numpy_[1], "note": note}
    if torch_:
        entry.update({"torch_wall_s": torch_[0], "torch_cpu_s": torch_[1], "torch_note": torch_note,
                      "torch_threads": torch_[2]["threads"], "torch_version": torch_[2]["torch"]})
    rows.append(entry)
    if as_json:
        return
    torch_text = f"{torch_[0]:.3f} s ({torch_[1]:.3f}) {torch_note}" if torch_ else "—"
    print(f"| {name} | {lnet[0]:.3f} s ({lnet[1]:.3f}) | {numpy_[0]:.3f} s ({numpy_[1]:.3f}) | "
          f"{numpy_[0] / lnet[0]:.1f}× | {torch_text} | {note} |", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lnet", default=os.path.join(root, ".build/release/lnet"))
    parser.add_argument("--moons-epochs", type=int, default=5000)
    parser.add_argument("--cat-epochs", type=int, default=2500)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each moons model per side (fastest counts)")
    parser.add_argument("--cat-repeat", type=int, default=2, help="runs of the cat model per side (fastest counts)")
    parser.add_argument("--json", action="store_true", help="print one JSON object with every row")
    parser.add_argument("--torch-python", default=sys.executable, help="the Python with torch (the shared .venv)")
    parser.add_argument("--no-torch", action="store_true", help="leave out the PyTorch column")
    parser.add_argument("--torch-cat-epochs", type=int, default=100,
                        help="epochs PyTorch runs of the cat model (its time is scaled to --cat-epochs)")
    parser.add_argument("--torch-moons-epochs", type=int, default=500,
                        help="epochs PyTorch runs of each moons model (its time is scaled to --moons-epochs)")
    args = parser.parse_args()
    global as_json, torch_python
    as_json = args.json
    torch_python = None if args.no_torch else args.torch_python
    for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        os.environ.pop(variable, None)  # they slow a current numpy (see the env notes)

    if not as_json:
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
              f"lnet {args.lnet}; numpy {np.__version__}; fastest of {args.repeat} (moons), {args.cat_repeat} (cat)")
        print("| model | lnet train wall (cpu) | numpy wall (cpu) | numpy / lnet | PyTorch CPU wall (cpu) | |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")

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
        torch_epochs = min(args.torch_moons_epochs, args.moons_epochs)
        moons_scale = args.moons_epochs / max(1, torch_epochs)
        torch_ = (fastest_torch(1, ["moons", optimizer, str(torch_epochs)], moons_scale) if torch_python else None)
        row(f"moons {optimizer}, {args.moons_epochs} epochs", lnet, numpy_, "same epoch-0 cost" if same else "COSTS DIFFER",
            torch_, (f"{torch_epochs} epochs × {moons_scale:g}" if moons_scale != 1 else "") + " (training loop)")

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
    cat_arguments = [args.lnet, "train", "--data", train, "--test", test, "--layers", "20,7,5,1", "--init", "deep",
                     "--seed", "1", "--optimizer", "gd", "--learning-rate", "0.0075", "--batch-size", "209",
                     "--epochs", str(args.cat_epochs), "--print-every", "100"]
    single_runs = []
    # The float32 run alternates with the float64 one and both numpy ones, so its ratio to float64 is of one run.
    lnet, course, skipping, _ = fastest_of(
        args.cat_repeat, cat_arguments, cat_numpy(True), cat_numpy(False),
        lambda: single_runs.append(time_lnet(cat_arguments + ["--dtype", "float32"])))
    single = min(single_runs, key=lambda run: run[0])
    scale = args.cat_epochs / max(1, args.torch_cat_epochs)
    torch_note = (f"{args.torch_cat_epochs} epochs × {scale:g}" if scale != 1 else "") + " (training loop)"
    torch64 = fastest_torch(1, ["cat", str(args.torch_cat_epochs), "float64"], scale) if torch_python else None
    torch32 = fastest_torch(1, ["cat", str(args.torch_cat_epochs), "float32"], scale) if torch_python else None
    row(f"cat, {args.cat_epochs} epochs", lnet, course, torch_=torch64, torch_note=torch_note, note=
        f"numpy: the course's L_model_backward (computes dA0); the float64 floor of LNet's two X products on this "
        f"machine: benchmarks/training/README.md")
    row(f"cat, {args.cat_epochs} epochs, numpy without dA0", lnet, skipping,
        "numpy given LNet's shortcut: dA0 is not computed")
    last = lambda output, word: [line for line in output.splitlines() if word in line]  # noqa: E731
    row(f"cat, {args.cat_epochs} epochs, lnet --dtype float32", single, course,
        f"numpy: the course's code (float64). LNet float64 / float32 in this run: {lnet[0] / single[0]:.2f}× wall, "
        f"{lnet[1] / single[1]:.2f}× CPU. float32 printed: {' / '.join(last(single[2], 'accuracy'))}",
        torch32, torch_note)
    if as_json:
        print(json.dumps({"numpy": np.__version__, "rows": rows, "repeat": args.repeat, "cat_repeat": args.cat_repeat}))
        return
    print()
    print(lnet[2].strip())


if __name__ == "__main__":
    main()
