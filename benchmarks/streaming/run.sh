#!/usr/bin/env bash
# Peak resident memory of `lnet train --stream` on a dataset several times
# its memory budget, beside the same run with x loaded whole, and whether the
# two runs' checkpoints are equal bit for bit.
#
#   benchmarks/streaming/run.sh [--gib G] [--budget 256M] [--no-compare] [--quick] [--json]
#
# Generates /tmp/lnet-bench/stream-<G>g.h5 (float64, 1024 features, chunked
# along rows; kept for the next run) with make_dataset.py, then trains one
# epoch of a 1024-16-1 network with Adam and mini-batches of 64 under
# /usr/bin/time. --quick: a 0.25 GiB file and a 32M budget. --no-compare
# skips the in-memory run (which needs about twice the file's size in RAM).
# $LNET names an lnet binary to use instead of building one; $LNET_SCRATCH
# the scratch path of that build (default .build-streaming).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="$root/.venv/bin/python"
gib=2
budget=256M
compare=1
json=0
while [ $# -gt 0 ]; do
    case "$1" in
        --gib) gib="$2"; shift 2 ;;
        --budget) budget="$2"; shift 2 ;;
        --no-compare) compare=0; shift ;;
        --quick) gib=0.25; budget=32M; shift ;;
        --json) json=1; shift ;;
        *) echo "usage: $0 [--gib G] [--budget SIZE] [--no-compare] [--quick] [--json]" >&2; exit 64 ;;
    esac
done
features=1024
examples=$("$python" -c "print(int($gib * 2**30) // (8 * $features))")
work=/tmp/lnet-bench
mkdir -p "$work"
data="$work/stream-${gib}g.h5"
[ -f "$data" ] || "$python" "$here/make_dataset.py" "$data" --examples "$examples" --features "$features"
if [ -n "${LNET:-}" ]; then
    lnet="$LNET"
else
    scratch="${LNET_SCRATCH:-$root/.build-streaming}"
    swift build -c release --package-path "$root" --scratch-path "$scratch" --product lnet >/dev/null
    lnet="$scratch/release/lnet"
fi

measure() {  # prints "wall user sys maxrss_kb"; the command's stderr goes to $work/stream-stderr.txt
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stream-stderr.txt" || {
        cat "$work/stream-stderr.txt" >&2
        return 1
    }
    cat "$work/time.txt"
}
args=(train --data "$data" --layers 16,1 --optimizer adam --batch-size 64 --epochs 1 --quiet --force)
rm -f "$work/stream-ckpt.h5" "$work/memory-ckpt.h5"
read -r sw su ss sm < <(measure "$lnet" "${args[@]}" --stream --memory-budget "$budget" --checkpoint "$work/stream-ckpt.h5")
mw=0 mu=0 ms=0 mm=0 same=null
if [ "$compare" = 1 ]; then
    read -r mw mu ms mm < <(measure "$lnet" "${args[@]}" --memory-budget 1T --checkpoint "$work/memory-ckpt.h5")
    if "$lnet" diff "$work/stream-ckpt.h5" "$work/memory-ckpt.h5" >/dev/null; then same=true; else same=false; fi
fi
size=$(stat -c %s "$data")
"$python" - "$json" "$size" "$examples" "$features" "$budget" "$sw" "$su" "$ss" "$sm" "$mw" "$mu" "$ms" "$mm" "$same" <<'PY'
import json, sys
as_json = sys.argv[1] == "1"
size, m, n, budget = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sw, su, ss, sm, mw, mu, ms, mm = map(float, sys.argv[6:14])
same = {"true": True, "false": False}.get(sys.argv[14])
x_mib = m * n * 8 / 2**20
result = {
    "description": f"streamed training, x {x_mib / 1024:.2f} GiB float64 ({m}×{n}), --memory-budget {budget}, 1 epoch",
    "baseline": "the same run with x loaded whole (lnet train without --stream)",
    "file_bytes": size, "examples": m, "features": n, "memory_budget": budget,
    "stream_wall_s": sw, "stream_cpu_s": su + ss, "stream_peak_rss_kib": sm,
}
if mm:
    result.update({"in_memory_wall_s": mw, "in_memory_cpu_s": mu + ms, "in_memory_peak_rss_kib": mm,
                   "bitwise_equal": same})
if as_json:
    print(json.dumps(result))
    sys.exit(0)
print(f"dataset: {size / 2**30:.2f} GiB file, x {m} × {n} float64 = {x_mib:.0f} MiB in memory; budget {budget}")
print(f"lnet train --stream: {sw:7.1f} s wall, {su + ss:7.1f} s CPU, peak RSS {sm / 1024:7.1f} MiB")
if mm:
    print(f"lnet train (x whole): {mw:7.1f} s wall, {mu + ms:7.1f} s CPU, peak RSS {mm / 1024:7.1f} MiB")
    print(f"checkpoints equal bit for bit: {'yes' if same else 'NO'}")
PY
