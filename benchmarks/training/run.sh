#!/usr/bin/env bash
# Builds lnet-bench-training in release mode and times LNetTraining against numpy on
# the course's moons and cat models. Run from anywhere; needs .venv (scripts/setup)
# and /work/shared/datasets/*_catvnoncat.h5 for the cat part.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scratch="${LNET_BENCH_SCRATCH:-.build-training-release}"
data="${LNET_CAT_DIR:-/tmp/lnet-cat}"
swift build --scratch-path "$scratch" -c release --product lnet-bench-training
bench="$scratch/release/lnet-bench-training"
uptime
"$bench" threshold
"$bench" products
"$bench" moons 5000
.venv/bin/python benchmarks/training/bench_numpy.py moons 5000
if [ -f /work/shared/datasets/train_catvnoncat.h5 ]; then
    .venv/bin/python benchmarks/training/dump_cat.py "$data" >/dev/null
    "$bench" cat "$data" 2500 2
    .venv/bin/python benchmarks/training/bench_numpy.py cat "$data" 2500
fi
uptime
