#!/usr/bin/env python3
"""Every LNet benchmark against its Python baseline in one run, as one table in
BENCHMARKS.md (issue 6, item 6). `make bench` runs it.

    .venv/bin/python benchmarks/report.py [--output BENCHMARKS.md] [--quick] [--scratch .build-bench]

Builds the release `lnet` and `lnet-bench-checkpoint` once (scratch path
--scratch), then runs, in this order:
  * training vs numpy: benchmarks/training/compare.py --json (moons gd/momentum/adam,
    5000 epochs; cat 2500 epochs when /work/shared/datasets has the course's files);
  * checkpoint save and load vs h5py: benchmarks/checkpoint/compare.py --json;
  * safetensors export and import vs safetensors.torch: benchmarks/safetensors/compare.py --json;
  * the data fingerprint vs h5py + hashlib: benchmarks/fingerprint/compare.py --json;
  * CSV conversion vs pandas + h5py, like for like: benchmarks/convert/bench.sh --json
    uncompressed on both sides, then shuffle + gzip 4 on both sides; their peak RSS
    is the conversion's memory row;
  * moons with Adam with and without --checkpoint (issue 14):
    benchmarks/checkpoint/moons_cadence.py --json;
  * LNet's default compressed conversion of a 120 MB float CSV against pandas + h5py
    writing uncompressed (issue 14): benchmarks/convert/bench.sh --floats 200000x31;
  * photo folder conversion vs Pillow + numpy + h5py: benchmarks/images/bench.sh --json
    (2,000 JPEGs of 300–800 px to 64 × 64, uncompressed on both sides);
  * peak memory of streamed training: benchmarks/streaming/run.sh --json when that
    script exists (else the row says "not measured").
Each row: LNet's figure, the baseline's, and LNet / baseline (below 1: LNet is
faster or smaller). The machine (CPU model, cores, load average before and after,
date) heads the table. --quick shortens every run (for trying the script out).
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
python = os.path.join(root, ".venv", "bin", "python")


def log(message):
    print(message, file=sys.stderr, flush=True)


def last_json(arguments, env=None, timeout=3600):
    """Runs a benchmark and returns the JSON object on its last line of output."""
    log("$ " + " ".join(arguments))
    started = time.perf_counter()
    result = subprocess.run(arguments, capture_output=True, text=True, env=env, timeout=timeout, cwd=root)
    log(f"  ({time.perf_counter() - started:.0f} s, exit {result.returncode})")
    if result.returncode != 0:
        raise RuntimeError(f"{os.path.basename(arguments[0 if not arguments[0].endswith('python') else 1])} "
                           f"exited {result.returncode}: {result.stderr.strip()[-400:]}")
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith("{")]
    if not lines:
        raise RuntimeError(f"no JSON in the output of {' '.join(arguments)}: {result.stdout.strip()[-400:]}")
    return json.loads(lines[-1])


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    # The vector flags that decide BLAS kernels (OpenBLAS's, BLIS's, MKL's paths).
    flags = []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    present = set(line.split(":", 1)[1].split())
                    flags = [flag for flag in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile")
                             if flag in present]
                    break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "memory": memory, "kernel": platform.release(),
            "flags": " ".join(flags) or "unknown"}


def versions():
    found = {}
    try:
        found["swift"] = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        pass
    probe = ("import numpy, h5py, pandas; print(numpy.__version__, h5py.__version__, "
             "h5py.version.hdf5_version, pandas.__version__)")
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True).stdout.split()
    if len(out) == 4:
        found.update(numpy=out[0], h5py=out[1], hdf5=out[2], pandas=out[3])
    return found


def seconds(value):
    return f"{value:.3f} s" if value >= 1 else f"{value * 1e3:.1f} ms"


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default=os.path.join(root, "BENCHMARKS.md"))
    parser.add_argument("--scratch", default=os.environ.get("LNET_BENCH_SCRATCH", ".build-bench"))
    parser.add_argument("--no-build", action="store_true", help="use the binaries already in the scratch path")
    parser.add_argument("--quick", action="store_true", help="short runs, to try the script")
    parser.add_argument("--csv-megabytes", type=int, default=100)
    parser.add_argument("--moons-epochs", type=int, default=5000)
    parser.add_argument("--cat-epochs", type=int, default=2500,
                        help="numpy needs minutes for 2500 on a loaded machine; fewer for a quicker report")
    args = parser.parse_args()
    scratch = os.path.join(root, args.scratch)
    if not args.no_build:
        for product in ("lnet", "lnet-bench-checkpoint", "lnet-bench-allreduce"):
            log(f"building {product} (release, {args.scratch})")
            subprocess.run(["swift", "build", "-c", "release", "--traits", "MPI", "--scratch-path", scratch, "--product", product],
                           cwd=root, check=True, stdout=sys.stderr)
    lnet = os.path.join(scratch, "release", "lnet")
    bench_checkpoint = os.path.join(scratch, "release", "lnet-bench-checkpoint")

    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    rows = []  # (group, what, lnet figure, baseline figure, ratio or None, note)
    notes = []
    extra = []

    def attempt(name, body):
        try:
            body()
        except Exception as error:  # noqa: BLE001 - one failing benchmark must not lose the others
            log(f"{name} failed: {error}")
            rows.append((name, "failed", "—", "—", None, str(error).splitlines()[0][:200]))

    # Training vs numpy.
    def training():
        options = (["--moons-epochs", "500", "--cat-epochs", "100"] if args.quick else
                   ["--moons-epochs", str(args.moons_epochs), "--cat-epochs", str(args.cat_epochs)])
        result = last_json([python, os.path.join(here, "training", "compare.py"), "--lnet", lnet, "--json"] + options)
        for row in result["rows"]:
            runs = result.get("cat_repeat" if row["name"].startswith("cat") else "repeat", 1)
            rows.append(("training vs numpy", row["name"] + f" (wall, fastest of {runs} each; CPU in brackets)",
                         f"{row['lnet_wall_s']:.2f} s ({row['lnet_cpu_s']:.2f})",
                         f"{row['numpy_wall_s']:.2f} s ({row['numpy_cpu_s']:.2f})",
                         row["lnet_wall_s"] / row["numpy_wall_s"],
                         "lnet train process (start, HDF5 load, training); numpy in memory. " + row["note"]))
        if "cat" in result:
            notes.append(f"training: cat {result['cat']}")
        # The training rows again with PyTorch CPU beside numpy (torch_reference.py).
        with_torch = [row for row in result["rows"] if "torch_wall_s" in row]
        if with_torch:
            table = ["Training against numpy and PyTorch CPU (wall seconds; CPU in brackets; PyTorch "
                     f"{with_torch[0]['torch_version']}, {with_torch[0]['torch_threads']} threads, its training loop "
                     "with the data in memory, scaled from fewer epochs where the row says so):", "",
                     "| model | LNet | numpy | PyTorch CPU | numpy / LNet | PyTorch / LNet | PyTorch run |",
                     "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
            for row in with_torch:
                table.append(
                    f"| {row['name']} | {row['lnet_wall_s']:.2f} s ({row['lnet_cpu_s']:.2f}) | "
                    f"{row['numpy_wall_s']:.2f} s ({row['numpy_cpu_s']:.2f}) | "
                    f"{row['torch_wall_s']:.2f} s ({row['torch_cpu_s']:.2f}) | "
                    f"{row['numpy_wall_s'] / row['lnet_wall_s']:.1f}× | {row['torch_wall_s'] / row['lnet_wall_s']:.1f}× | "
                    f"{row['torch_note'].strip()} |")
            extra.append("\n".join(table))
    attempt("training vs numpy", training)

    # Checkpoint save and load vs h5py.
    def checkpoint():
        options = ["--repeat", "5", "--rounds", "1"] if args.quick else []
        result = last_json([python, os.path.join(here, "checkpoint", "compare.py"), "--bench", bench_checkpoint,
                            "--python", python, "--json"] + options)
        size = f"{result['lnet']['bytes'] / 1e6:.1f} MB"
        for key, label, note in (("write", "save, atomic and fsync'd", "temporary file, fsync, rename, fsync of the folder on both sides"),
                                 ("read", "load, every tensor", "lnet also validates everything `lnet verify` checks")):
            rows.append(("checkpoint vs h5py", f"cat model with Adam state ({size}): {label}, median of {result['repetitions']}",
                         seconds(result["lnet"][key + "_s"]), seconds(result["h5py"][key + "_s"]),
                         result[key + "_ratio"], f"fletcher32, one chunk per tensor on both sides; {note}"))
    attempt("checkpoint vs h5py", checkpoint)

    # safetensors export and import (issue 12) vs safetensors.torch on the same tensors.
    def safetensors():
        options = ["--repeat", "5", "--rounds", "1"] if args.quick else []
        result = last_json([python, os.path.join(here, "safetensors", "compare.py"), "--bench", bench_checkpoint,
                            "--python", python, "--json"] + options)
        size = f"{result['bytes'] / 1e6:.1f} MB"
        rows.append(("safetensors vs safetensors.torch", f"cat model with Adam state ({size}): export, median of {result['repetitions']}",
                     seconds(result["lnet_export_s"]), seconds(result["torch_save_fsync_s"]), result["export_ratio"],
                     "checkpoint → file, atomic and fsync'd, against save_file + fsync + rename + fsync of the folder "
                     f"(save_file alone, not durable: {seconds(result['torch_save_s'])}, ratio {result['export_ratio_no_fsync_baseline']:.2f})"))
        rows.append(("safetensors vs safetensors.torch", f"cat model with Adam state ({size}): import, median of {result['repetitions']}",
                     seconds(result["lnet_import_s"]), seconds(result["torch_load_s"]), result["import_ratio"],
                     "file → validated header → checkpoint in memory, against load_file of the same file"))
    attempt("safetensors vs safetensors.torch", safetensors)

    # The data fingerprint (train and resume read all of x for it) vs h5py + hashlib.
    def fingerprint():
        options = ["--mib", "32", "--repeat", "2"] if args.quick else ["--mib", "256", "--repeat", "3"]
        result = last_json([python, os.path.join(here, "fingerprint", "compare.py"), "--bench", bench_checkpoint,
                            "--json"] + options)
        mb = result["bytes"] / 1e6
        rows.append(("fingerprint vs h5py + hashlib", f"SHA-256 data fingerprint of a {mb:.0f} MB float64 dataset, fastest of "
                     f"{3 if not args.quick else 2}", seconds(result["lnet_s"]), seconds(result["h5py_hashlib_s"]),
                     result["lnet_s"] / result["h5py_hashlib_s"],
                     f"{mb / result['lnet_s']:.0f} vs {mb / result['h5py_hashlib_s']:.0f} MB/s; lnet reads blocks of rows, "
                     f"h5py all of x; same digest: {result['same_digest']}"))
    attempt("fingerprint vs h5py + hashlib", fingerprint)

    # CSV conversion vs pandas + h5py, like for like, and its peak memory.
    def conversion():
        megabytes = 10 if args.quick else args.csv_megabytes
        env = dict(os.environ, LNET=lnet)
        memory = []
        for level in (0, 4):
            result = last_json([os.path.join(here, "convert", "bench.sh"), "--megabytes", str(megabytes),
                                "--compression", str(level), "--json"], env=env)
            mb = result["csv_bytes"] / 1e6
            label = "uncompressed on both sides" if level == 0 else "shuffle + gzip 4 on both sides"
            rows.append(("CSV conversion vs pandas + h5py",
                         f"{mb:.0f} MB MNIST-like CSV → HDF5, {label} (wall; CPU in brackets)",
                         f"{result['lnet_wall_s']:.2f} s ({result['lnet_cpu_s']:.2f})",
                         f"{result['pandas_wall_s']:.2f} s ({result['pandas_cpu_s']:.2f})",
                         result["lnet_wall_s"] / result["pandas_wall_s"],
                         f"{mb / result['lnet_wall_s']:.0f} vs {mb / result['pandas_wall_s']:.0f} MB/s; "
                         f"output {result['lnet_h5_bytes'] / 1e6:.0f} vs {result['pandas_h5_bytes'] / 1e6:.0f} MB"))
            memory.append((label, result))
        for label, result in memory:
            rows.append(("peak memory", f"CSV conversion, {label} (peak RSS)", mib(result["lnet_peak_rss_kib"]),
                         mib(result["pandas_peak_rss_kib"]),
                         result["lnet_peak_rss_kib"] / result["pandas_peak_rss_kib"],
                         "lnet convert streams in bounded memory; pandas holds the whole frame"))
    attempt("CSV conversion vs pandas + h5py", conversion)

    # Issue 14: checkpoints written in the background, at the default cadence.
    def checkpoint_cadence():
        options = ["--repeat", "2", "--epochs", "1000"] if args.quick else ["--repeat", "5", "--epochs", str(args.moons_epochs)]
        result = last_json([python, os.path.join(here, "checkpoint", "moons_cadence.py"), "--lnet", lnet, "--json"] + options)
        without = result["without_wall_s"]
        for key, label in (("default", "`--checkpoint` at the defaults (every 30 s, and at the end)"),
                           ("every100", "`--checkpoint --checkpoint-every 100` (a save due every 100 epochs, written in the background)")):
            rows.append(("checkpoints during training", f"moons adam, {result['epochs']} epochs, {label} vs no checkpoint "
                         f"(wall, fastest of {result['repeat']} each, interleaved; CPU in brackets)",
                         f"{result[key + '_wall_s']:.2f} s ({result[key + '_cpu_s']:.2f})",
                         f"{without:.2f} s ({result['without_cpu_s']:.2f})", result[key + "_wall_s"] / without,
                         "benchmarks/checkpoint/moons_cadence.py; target 1.15 at the defaults"))
    attempt("checkpoints during training", checkpoint_cadence)

    # Issue 14: LNet's default, compressed conversion against pandas + h5py writing uncompressed.
    def compressed_conversion():
        env = dict(os.environ, LNET=lnet)
        shape = "20000x31" if args.quick else "200000x31"
        result = last_json([os.path.join(here, "convert", "bench.sh"), "--floats", shape, "--compression", "4",
                            "--pandas-compression", "0", "--rounds", "1" if args.quick else "3", "--json"], env=env)
        mb = result["csv_bytes"] / 1e6
        rows.append(("CSV conversion vs pandas + h5py",
                     f"{mb:.0f} MB float CSV ({shape.replace('x', ' × ')}) → HDF5, LNet's default shuffle + gzip 4 "
                     f"against pandas + h5py uncompressed (wall, fastest of {result['rounds']} each, alternated; "
                     "CPU in brackets)",
                     f"{result['lnet_wall_s']:.2f} s ({result['lnet_cpu_s']:.2f})",
                     f"{result['pandas_wall_s']:.2f} s ({result['pandas_cpu_s']:.2f})",
                     result["lnet_wall_s"] / result["pandas_wall_s"],
                     f"target ≤ 0.67 (1.5×); libdeflate chunks on both cores; same values: {result['same_values']}; "
                     f"output {result['lnet_h5_bytes'] / 1e6:.0f} vs {result['pandas_h5_bytes'] / 1e6:.0f} MB"))
    attempt("compressed CSV conversion vs pandas + h5py", compressed_conversion)

    # A folder of photos vs Pillow + numpy + h5py, like for like.
    def photos():
        env = dict(os.environ, LNET=lnet)
        count = 200 if args.quick else 2000
        result = last_json([os.path.join(here, "images", "bench.sh"), "--count", str(count), "--json"], env=env)
        rows.append(("photo conversion vs Pillow + numpy + h5py",
                     f"{result['photos']} JPEGs of 300–800 px ({result['folder_bytes'] / 1e6:.0f} MB) → HDF5 at "
                     f"{result['size']}×{result['size']}, uncompressed (wall; CPU in brackets)",
                     f"{result['lnet_wall_s']:.2f} s ({result['lnet_cpu_s']:.2f})",
                     f"{result['pillow_wall_s']:.2f} s ({result['pillow_cpu_s']:.2f})",
                     result["lnet_wall_s"] / result["pillow_wall_s"],
                     f"{result['photos'] / result['lnet_wall_s']:.0f} vs {result['photos'] / result['pillow_wall_s']:.0f} photos/s; "
                     f"same x and y: {result['same_x']}; peak RSS {mib(result['lnet_peak_rss_kib'])} vs "
                     f"{mib(result['pillow_peak_rss_kib'])}"))
    attempt("photo conversion vs Pillow + numpy + h5py", photos)

    # Streamed training's peak memory.
    def streaming():
        script = os.path.join(here, "streaming", "run.sh")
        if not os.path.exists(script):
            rows.append(("peak memory", "streamed training (`lnet train --stream`)", "not measured", "not measured",
                         None, "benchmarks/streaming/run.sh does not exist yet"))
            return
        env = dict(os.environ, LNET=lnet)
        try:
            result = last_json([script, "--json"], env=env)
        except RuntimeError as error:
            # run.sh without a JSON mode: its own output goes into the report as it is.
            log(f"run.sh --json: {error}; running it without --json")
            output = subprocess.run([script], capture_output=True, text=True, env=env, cwd=root, timeout=3600)
            rows.append(("peak memory", "streamed training (`lnet train --stream`)", "see below", "see below", None,
                         f"benchmarks/streaming/run.sh exited {output.returncode}; its output follows the table"))
            extra.append("Output of `benchmarks/streaming/run.sh`:\n\n```\n" +
                         "\n".join((output.stdout + output.stderr).strip().splitlines()[-40:]) + "\n```")
            return
        lnet_kib = result.get("lnet_peak_rss_kib") or result.get("stream_peak_rss_kib")
        other_kib = (result.get("baseline_peak_rss_kib") or result.get("in_memory_peak_rss_kib")
                     or result.get("numpy_peak_rss_kib"))
        what = result.get("description", "streamed training (`lnet train --stream`)")
        if lnet_kib and other_kib:
            rows.append(("peak memory", what + " (peak RSS)", mib(lnet_kib), mib(other_kib), lnet_kib / other_kib,
                         result.get("baseline", "baseline: the same `lnet train` with x loaded whole") +
                         (f"; checkpoints equal bit for bit: {result['same']}" if "same" in result else "")))
        else:
            rows.append(("peak memory", what, "see note", "see note", None, json.dumps(result)[:300]))
    attempt("peak memory of streamed training", streaming)

    # Data-parallel training over MPI: 2 ranks against 1 on one machine.
    def distributed():
        result = last_json([python, os.path.join(here, "distributed", "run.py"), lnet,
                            os.path.join(scratch, "release", "lnet-bench-allreduce")])
        rows.append(("MPI ranks", f"{result['examples']:,} × 784, layers 128,64,10, Adam, batch 256: seconds per epoch, "
                     "2 ranks vs 1 (`mpirun --bind-to core`)",
                     f"{result['two_ranks_epoch_seconds']:.2f} s", f"{result['one_rank_epoch_seconds']:.2f} s",
                     result['two_ranks_epoch_seconds'] / result['one_rank_epoch_seconds'],
                     f"speed-up {result['speedup_two_ranks']:.2f}; allreduce of {result['allreduce_doubles']:,} doubles "
                     f"{result['allreduce_seconds_per_step'] * 1e3:.2f} ms a step "
                     f"({result['allreduce_share_of_two_rank_epoch'] * 100:.1f} % of an epoch); one process without MPI: "
                     f"{result['single_process_epoch_seconds']:.2f} s"))
    attempt("MPI scaling", distributed)

    load_after = os.getloadavg()
    finished = datetime.datetime.now(datetime.timezone.utc)
    info = machine()
    tools = versions()
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`benchmarks/report.py`): every comparison in one run, on one machine.",
        "Each row gives LNet's figure, the baseline's, and **LNet / baseline** (below 1: LNet is faster or",
        "uses less memory). Wall seconds on a shared machine move with its load; CPU seconds (in brackets)",
        "are steadier. Reproduce with `make bench`; the scripts behind each row are listed below.",
        "",
        f"**Machine:** {info['cpu']} ({info['flags']}), {info['cores']} cores, {info['memory']} memory, "
        f"Linux {info['kernel']}.  ",
        f"**Date:** {started:%Y-%m-%d %H:%M} – {finished:%H:%M} UTC{' (--quick)' if args.quick else ''}.  ",
        f"**Load average** (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{', '.join(f'{x:.2f}' for x in load_after)} after (the machine is shared: other builds and tests ran too).  ",
        "**Versions:** " + ", ".join(f"{k} {v}" for k, v in tools.items()) + ".",
        "",
        "| group | what | LNet | baseline | LNet / baseline | notes |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for group, what, mine, theirs, ratio, note in rows:
        ratio_text = f"{ratio:.2f}" if ratio is not None else "—"
        lines.append(f"| {group} | {what} | {mine} | {theirs} | {ratio_text} | {note} |")
    lines += [
        "",
        "Baselines: training — the course's numpy `L_model_forward` / `L_model_backward` / Adam",
        "(`benchmarks/training/numpy_reference.py`, data already in memory, OPENBLAS_CORETYPE and",
        "OPENBLAS_L2_SIZE unset); checkpoints — h5py writing and reading the same layout with the same",
        "filters (`benchmarks/checkpoint/bench_h5py.py`); conversion — `pandas.read_csv` then h5py",
        "(`benchmarks/convert/bench_pandas.py`); fingerprint — h5py reads x and y, hashlib digests them",
        "(`Tests/interop/lnet_format.py`); safetensors — `safetensors.torch.save_file` / `load_file` on the",
        "tensors and metadata LNet exports (`benchmarks/safetensors/bench_torch.py`); photos — Pillow's",
        "`Image.open(f).convert(\"RGB\").resize(...)`, numpy, h5py (`benchmarks/images/bench_pillow.py`).",
        "Scripts: `benchmarks/training/compare.py`, `benchmarks/checkpoint/compare.py`,",
        "`benchmarks/checkpoint/moons_cadence.py`, `benchmarks/safetensors/compare.py`,",
        "`benchmarks/fingerprint/compare.py`, `benchmarks/convert/bench.sh`, `benchmarks/images/bench.sh`,",
        "`benchmarks/streaming/run.sh`.",
    ]
    if notes:
        lines += [""] + [f"Note: {note}." for note in notes]
    for block in extra:
        lines += ["", block]
    with open(args.output, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    log(f"wrote {args.output}")


if __name__ == "__main__":
    main()
