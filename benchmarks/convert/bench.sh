#!/usr/bin/env bash
# lnet convert (release build) against pandas.read_csv + h5py on the same CSV,
# in one run: wall and CPU time, throughput, the ratio, and both peak RSS.
#
#   benchmarks/convert/bench.sh [CSV] [--megabytes N] [--compression L]
#
# Without CSV, generates /tmp/lnet-bench/mnist<N>.csv with make_csv.py
# (N = 100 by default). --compression is passed to lnet convert (default 0,
# to match the baseline, which h5py writes uncompressed; the default of
# `lnet convert` is 4). The shared 2-core machine is often loaded, so CPU
# seconds (user + sys) are printed beside wall seconds; the ratio is given
# for both.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="$root/.venv/bin/python"
megabytes=100
compression=0
csv=""
while [ $# -gt 0 ]; do
    case "$1" in
        --megabytes) megabytes="$2"; shift 2 ;;
        --compression) compression="$2"; shift 2 ;;
        *) csv="$1"; shift ;;
    esac
done
work=/tmp/lnet-bench
mkdir -p "$work"
if [ -z "$csv" ]; then
    csv="$work/mnist$megabytes.csv"
    [ -f "$csv" ] || "$python" "$here/make_csv.py" "$csv" --megabytes "$megabytes"
fi
scratch="${LNET_SCRATCH:-$root/.build-convert}"
swift build -c release --package-path "$root" --scratch-path "$scratch" --product lnet >/dev/null
lnet="$scratch/release/lnet"

measure() {  # prints "wall user sys maxrss_kb"
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null
    cat "$work/time.txt"
}
size=$(stat -c %s "$csv")
read -r lw lu ls lm < <(measure "$lnet" convert "$csv" "$work/lnet.h5" --force --quiet --compression "$compression")
read -r pw pu ps pm < <(measure "$python" "$here/bench_pandas.py" "$csv" "$work/pandas.h5")
rm -f "$work/lnet.h5" "$work/pandas.h5"
"$python" - "$size" "$compression" "$lw" "$lu" "$ls" "$lm" "$pw" "$pu" "$ps" "$pm" <<'PY'
import sys
size, level = int(sys.argv[1]), sys.argv[2]
lw, lu, ls, lm, pw, pu, ps, pm = map(float, sys.argv[3:])
mb = size / 1e6
lc, pc = lu + ls, pu + ps
print(f"CSV: {mb:.1f} MB")
print(f"lnet convert (gzip {level}): {lw:7.2f} s wall = {mb / lw:6.1f} MB/s; {lc:6.2f} s CPU = {mb / lc:6.1f} MB/s; peak RSS {lm / 1024:6.0f} MiB")
print(f"pandas + h5py:        {pw:7.2f} s wall = {mb / pw:6.1f} MB/s; {pc:6.2f} s CPU = {mb / pc:6.1f} MB/s; peak RSS {pm / 1024:6.0f} MiB")
print(f"ratio (lnet throughput / pandas): {pw / lw:.2f}x wall, {pc / lc:.2f}x CPU (target 1.5x)")
PY
