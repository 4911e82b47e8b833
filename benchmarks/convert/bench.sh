#!/usr/bin/env bash
# lnet convert (release build) against pandas.read_csv + h5py on the same CSV,
# in one run: wall and CPU time, throughput, the ratio, and both peak RSS.
#
#   benchmarks/convert/bench.sh [CSV] [--megabytes N] [--floats ROWSxCOLUMNS] [--compression L]
#                               [--pandas-compression L] [--rounds N] [--json]
#
# Without CSV, generates /tmp/lnet-bench/mnist<N>.csv with make_csv.py
# (N = 100 by default), or with --floats 200000x31 a CSV of that many rows of
# uniform random floats at full precision and an integer label
# (/tmp/lnet-bench/floats<ROWS>x<COLUMNS>.csv, 120 MB for 200000x31).
# --compression is passed to both sides, like for like:
# 0 (the default) is uncompressed on both; L > 0 is shuffle + gzip L for
# `lnet convert` and for h5py (the default of `lnet convert` is 4);
# --pandas-compression sets pandas + h5py's apart (issue 14 compares LNet's
# default, gzip 4, with pandas + h5py uncompressed). Both outputs' x and y are
# compared value for value (`same_values`). --rounds N runs both sides N
# times, alternately, and keeps each side's fastest wall time (with that run's
# CPU and peak RSS); 1 by default. --json
# prints one JSON object (for benchmarks/report.py). $LNET names an lnet binary
# to use instead of building one. The shared 2-core machine is often loaded, so CPU
# seconds (user + sys) are printed beside wall seconds; the ratio is given
# for both.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="$root/.venv/bin/python"
megabytes=100
compression=0
pandas_compression=""
floats=""
json=0
rounds=1
csv=""
while [ $# -gt 0 ]; do
    case "$1" in
        --megabytes) megabytes="$2"; shift 2 ;;
        --compression) compression="$2"; shift 2 ;;
        --pandas-compression) pandas_compression="$2"; shift 2 ;;
        --floats) floats="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --json) json=1; shift ;;
        *) csv="$1"; shift ;;
    esac
done
work=/tmp/lnet-bench
mkdir -p "$work"
pandas_compression="${pandas_compression:-$compression}"
if [ -z "$csv" ] && [ -n "$floats" ]; then
    csv="$work/floats$floats.csv"
    [ -f "$csv" ] || "$python" "$here/make_csv.py" "$csv" --rows "${floats%x*}" --columns "${floats#*x}" --full-floats
elif [ -z "$csv" ]; then
    csv="$work/mnist$megabytes.csv"
    [ -f "$csv" ] || "$python" "$here/make_csv.py" "$csv" --megabytes "$megabytes"
fi
if [ -n "${LNET:-}" ]; then
    lnet="$LNET"
else
    scratch="${LNET_SCRATCH:-$root/.build-convert}"
    swift build -c release --package-path "$root" --scratch-path "$scratch" --product lnet >/dev/null
    lnet="$scratch/release/lnet"
fi

measure() {  # prints "wall user sys maxrss_kb"
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null
    cat "$work/time.txt"
}
size=$(stat -c %s "$csv")
faster() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(b == "" || a < b) }'; }
lw=""; pw=""
for _ in $(seq "$rounds"); do
    # Neither side pays for deleting the other round's output inside its timing.
    rm -f "$work/lnet.h5" "$work/pandas.h5"
    read -r w u s m < <(measure "$lnet" convert "$csv" "$work/lnet.h5" --force --quiet --compression "$compression")
    if faster "$w" "$lw"; then lw=$w lu=$u ls=$s lm=$m; fi
    read -r w u s m < <(measure "$python" "$here/bench_pandas.py" "$csv" "$work/pandas.h5" --compression "$pandas_compression")
    if faster "$w" "$pw"; then pw=$w pu=$u ps=$s pm=$m; fi
done
same=$("$python" -c '
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    print(all(np.array_equal(a[k][...], b[k][...]) for k in ("x", "y")))
' "$work/lnet.h5" "$work/pandas.h5")
lsize=$(stat -c %s "$work/lnet.h5")
psize=$(stat -c %s "$work/pandas.h5")
rm -f "$work/lnet.h5" "$work/pandas.h5"
"$python" - "$size" "$compression" "$json" "$lsize" "$psize" "$pandas_compression" "$same" "$lw" "$lu" "$ls" "$lm" "$pw" "$pu" "$ps" "$pm" "$rounds" <<'PY'
import json, sys
size, level, as_json, lsize, psize = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1", int(sys.argv[4]), int(sys.argv[5])
plevel, same = sys.argv[6], sys.argv[7] == "True"
lw, lu, ls, lm, pw, pu, ps, pm = map(float, sys.argv[8:16])
rounds = int(sys.argv[16])
mb = size / 1e6
lc, pc = lu + ls, pu + ps
if as_json:
    print(json.dumps({"csv_bytes": size, "compression": int(level), "pandas_compression": int(plevel), "rounds": rounds,
                      "same_values": same, "lnet_h5_bytes": lsize, "pandas_h5_bytes": psize,
                      "lnet_wall_s": lw, "lnet_cpu_s": lc, "lnet_peak_rss_kib": lm,
                      "pandas_wall_s": pw, "pandas_cpu_s": pc, "pandas_peak_rss_kib": pm}))
    sys.exit(0)
print(f"CSV: {mb:.1f} MB")
print(f"lnet convert (gzip {level}): {lw:7.2f} s wall = {mb / lw:6.1f} MB/s; {lc:6.2f} s CPU = {mb / lc:6.1f} MB/s; peak RSS {lm / 1024:6.0f} MiB")
print(f"pandas + h5py (gzip {plevel}): {pw:7.2f} s wall = {mb / pw:6.1f} MB/s; {pc:6.2f} s CPU = {mb / pc:6.1f} MB/s; peak RSS {pm / 1024:6.0f} MiB")
print(f"ratio (lnet throughput / pandas): {pw / lw:.2f}x wall, {pc / lc:.2f}x CPU (target 1.5x); same values: {same}")
PY
