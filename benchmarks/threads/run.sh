#!/bin/sh
# Times `lnet train` on the course's cat model and on a small model (scikit-learn's
# digits) with the default BLIS threads and with --threads 1, on a quiet machine and
# beside two spinning processes (`while :; do :; done`, killed at the end).
#
#   benchmarks/threads/run.sh [LNET] [BASELINE_LNET] [REPEATS]
#
# LNET defaults to .build/release/lnet; BASELINE_LNET (optional) is timed the same
# way, alternating with LNET, e.g. a release build of main. Prints one line per run:
# condition, binary, model, threads, seconds. See README.md beside this script.
set -eu
cd "$(dirname "$0")/../.."
LNET=${1:-.build/release/lnet}
BASE=${2:-}
REPEATS=${3:-3}
DATASETS=${LNET_DATASETS:-../shared/datasets}
WORK=$(mktemp -d)
SPINNERS=""
cleanup() {
    for pid in $SPINNERS; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The digits set (1797 × 64, 10 classes) as a CSV, converted by lnet.
.venv/bin/python - "$WORK/digits.csv" <<'PY'
import sys
import numpy as np
from sklearn.datasets import load_digits
d = load_digits()
table = np.column_stack([d.data, d.target])
header = ",".join([f"p{i}" for i in range(64)] + ["digit"])
np.savetxt(sys.argv[1], table, fmt="%d", delimiter=",", header=header, comments="")
PY
"$LNET" convert "$WORK/digits.csv" "$WORK/digits.h5" >/dev/null

CAT="--data $DATASETS/train_catvnoncat.h5 --layers 20,7,5,1 --init deep --seed 1 --optimizer gd --learning-rate 0.0075 --batch-size 209 --epochs 200"
DIGITS="--data $WORK/digits.h5 --layers 32,10 --optimizer adam --learning-rate 0.001 --batch-size 64 --epochs 100"

run() {  # condition binary-label binary model-label threads-label args...
    condition=$1 label=$2 binary=$3 model=$4 threads=$5
    shift 5
    start=$(date +%s.%N)
    "$binary" train "$@" >/dev/null
    end=$(date +%s.%N)
    printf '%s %s %s %s %.3f\n' "$condition" "$label" "$model" "$threads" "$(echo "$end - $start" | bc)"
}

measure() {  # condition
    for _ in $(seq "$REPEATS"); do
        for binary in "$LNET" ${BASE:+"$BASE"}; do
            label=new; [ "$binary" = "$BASE" ] && label=base
            run "$1" $label "$binary" cat default $CAT
            run "$1" $label "$binary" cat 1 $CAT --threads 1
            run "$1" $label "$binary" digits default $DIGITS
            run "$1" $label "$binary" digits 1 $DIGITS --threads 1
        done
    done
}

measure quiet
sh -c 'while :; do :; done' & SPINNERS="$SPINNERS $!"
sh -c 'while :; do :; done' & SPINNERS="$SPINNERS $!"
sleep 1
measure busy
