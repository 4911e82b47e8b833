"""Mutates HDF5 files and counts how `lnet inspect` and `lnet verify` take them.

usage: .venv/bin/python scripts/mutate-hdf5.py --lnet .build/release/lnet
           [--count 1000] [--seed 1] [--out DIR] [--report benchmarks/hostile-hdf5.md]
           [--jobs 2] [--keep] [--write-only N DIR]

The sources are samples/moons.h5, a checkpoint lnet trains on it (Adam, so
/optimizer/v and s exist) and, when present, the course's
../shared/datasets/train_catvnoncat.h5. Each mutant is one of: bit flips
(mostly in the first 4 KiB, where HDF5 keeps its superblock and object
headers), truncation, bytes spliced from elsewhere in the file, random
bytes written over a span, or a span zeroed. Seeded: the same --seed gives
the same files.

Every mutant goes through `lnet inspect F`, `lnet inspect F --stats` and
`lnet verify F`, and each run is counted as one of:

  ok                  exit 0
  clean error         exit 1, every stderr line `error: …`/`warning: …`
  contained crash     `error: F is corrupt or unsupported (… crashed …)` or (… memory …)
  contained hang      `error: F is corrupt or unsupported (… took longer …)`
  UNCONTAINED crash   lnet itself died by a signal, or hung past the outer timeout
  raw stack printed   HDF5-DIAG or an HDF5 stack frame reached stdout/stderr
  other               anything else (a bad exit status, a malformed error)

With --baseline, inspect also runs with LNET_ISOLATION=off: what the user
would see without the child process.

--write-only N DIR writes N mutants into DIR and exits (the Swift regression
test uses it).
"""
import argparse
import concurrent.futures
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATEGORIES = ["ok", "clean error", "contained crash", "contained hang", "UNCONTAINED crash",
              "raw stack printed", "other"]


def sources(lnet, work):
    found = [os.path.join(ROOT, "samples/moons.h5")]
    checkpoint = os.path.join(work, "moons-checkpoint.h5")
    if lnet:
        subprocess.run([lnet, "train", "--data", found[0], "--layers", "5,2,1", "--epochs", "3",
                        "--quiet", "--checkpoint", checkpoint, "--force"], check=True, stdout=subprocess.DEVNULL)
        found.append(checkpoint)
    course = os.path.join(os.path.dirname(ROOT), "shared/datasets/train_catvnoncat.h5")
    if os.path.exists(course):
        found.append(course)
    return found


def mutate(data, rng):
    data = bytearray(data)
    kind = rng.choice(["bitflip", "bitflip", "bitflip", "truncate", "splice", "random-span", "zero-span"])
    n = len(data)
    if kind == "bitflip":
        for _ in range(rng.randint(1, 16)):
            # Metadata lives near the start; flips there reach the parser, flips in raw data mostly don't.
            limit = min(n, 4096) if rng.random() < 0.7 else n
            i = rng.randrange(limit)
            data[i] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        data = data[: rng.randrange(1, n)]
    elif kind == "splice":
        length = rng.randint(1, 512)
        src = rng.randrange(max(1, n - length))
        dst = rng.randrange(min(n, 8192))
        data[dst:dst + length] = data[src:src + length]
    elif kind == "random-span":
        length = rng.randint(1, 64)
        dst = rng.randrange(min(n, 8192))
        data[dst:dst + length] = bytes(rng.randrange(256) for _ in range(length))
    else:
        length = rng.randint(1, 256)
        dst = rng.randrange(min(n, 8192))
        data[dst:dst + length] = bytes(length)
    return kind, bytes(data)


def write_mutants(count, folder, seed, lnet, work):
    rng = random.Random(seed)
    originals = [(os.path.basename(p), open(p, "rb").read()) for p in sources(lnet, work)]
    os.makedirs(folder, exist_ok=True)
    files = []
    for i in range(count):
        name, data = originals[i % len(originals)]
        kind, mutant = mutate(data, rng)
        path = os.path.join(folder, f"{i:05d}-{kind}-{name}")
        with open(path, "wb") as f:
            f.write(mutant)
        files.append((path, name, kind))
    return files


def classify(lnet, path, args, outer_timeout, environment):
    try:
        result = subprocess.run([lnet] + args, capture_output=True, timeout=outer_timeout, env=environment)
    except subprocess.TimeoutExpired:
        return "UNCONTAINED crash", "hung past the outer timeout"
    err = result.stderr.decode("utf-8", "replace")
    out = result.stdout.decode("utf-8", "replace")
    if "HDF5-DIAG" in err + out or "#000:" in err + out:
        return "raw stack printed", err[:200]
    if result.returncode < 0:
        return "UNCONTAINED crash", f"signal {-result.returncode}"
    if result.returncode == 0:
        return "ok", ""
    lines = [line for line in err.splitlines() if line]
    if "is corrupt or unsupported (" in err:
        if "took longer" in err:
            return "contained hang", lines[-1]
        return "contained crash", lines[-1]
    if result.returncode == 1 and lines and all(l.startswith(("error: ", "warning: ")) for l in lines):
        return "clean error", lines[0]
    return "other", f"status {result.returncode}: {err[:200]}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lnet")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out")
    parser.add_argument("--report")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--probe-seconds", type=float, default=10)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--write-only", nargs=2, metavar=("N", "DIR"))
    options = parser.parse_args()
    work = options.out or tempfile.mkdtemp(prefix="lnet-hostile-")
    os.makedirs(work, exist_ok=True)
    if options.write_only:
        count, folder = options.write_only
        write_mutants(int(count), folder, options.seed, options.lnet, work)
        return
    if not options.lnet:
        sys.exit("--lnet PATH is required")
    lnet = os.path.abspath(options.lnet)
    files = write_mutants(options.count, os.path.join(work, "mutants"), options.seed, lnet, work)
    environment = dict(os.environ, LNET_PROBE_SECONDS=str(options.probe_seconds))
    commands = {"inspect": ["inspect"], "inspect --stats": ["inspect", "--stats"], "verify": ["verify"]}
    runs = [(label, args) for label, args in commands.items()]
    if options.baseline:
        runs.append(("inspect, no isolation", ["inspect"]))
    counts = {label: {c: 0 for c in CATEGORIES} for label, _ in runs}
    examples = {}
    started = time.time()

    def one(job):
        (label, args), (path, name, kind) = job
        env = dict(environment, LNET_ISOLATION="off") if label.endswith("no isolation") else environment
        category, detail = classify(lnet, path, args + [path], options.probe_seconds + 60, env)
        return label, category, path, detail

    jobs = [(run, f) for f in files for run in runs]
    with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
        for label, category, path, detail in pool.map(one, jobs):
            counts[label][category] += 1
            if category not in ("ok", "clean error"):
                examples.setdefault((label, category), []).append(f"{os.path.basename(path)}: {detail}")
    elapsed = time.time() - started

    lines = [
        "# libhdf5 on hostile files: lnet inspect and lnet verify",
        "",
        "Written by `.venv/bin/python scripts/mutate-hdf5.py --lnet .build/release/lnet --baseline "
        f"--report benchmarks/hostile-hdf5.md` (seed {options.seed}). Categories: see the script's docstring; "
        "`inspect, no isolation` is the same inspect with `LNET_ISOLATION=off`, what users would see "
        "without the child process.",
        "",
        f"{len(files)} mutants of {', '.join(sorted({n for _, n, _ in files}))} (seed {options.seed}), "
        f"probe time limit {options.probe_seconds:g} s, {elapsed:.0f} s in all, {options.jobs} at a time, "
        f"on {platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs)",
        "",
        "| command | " + " | ".join(CATEGORIES) + " |",
        "| --- | " + " | ".join("---:" for _ in CATEGORIES) + " |",
    ]
    for label, _ in runs:
        lines.append(f"| `lnet {label}` | " + " | ".join(str(counts[label][c]) for c in CATEGORIES) + " |")
    lines.append("")
    for (label, category), items in sorted(examples.items()):
        lines.append(f"- `{label}`, {category} ({len(items)}): e.g. " + "; ".join(items[:3]))
    text = "\n".join(lines) + "\n"
    print(text)
    if options.report:
        with open(options.report, "w") as f:
            f.write(text)
    if not options.keep and not options.out:
        shutil.rmtree(work, ignore_errors=True)
    uncontained = sum(counts[label]["UNCONTAINED crash"] + counts[label]["raw stack printed"]
                      for label, _ in runs if not label.endswith("no isolation"))
    sys.exit(1 if uncontained else 0)


if __name__ == "__main__":
    main()
