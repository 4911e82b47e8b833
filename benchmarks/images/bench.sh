#!/usr/bin/env bash
# lnet convert (release build) of a folder of photos against the same job
# written with Pillow + numpy + h5py (bench_pillow.py), in one run: wall and
# CPU seconds, the ratio, both peak RSS, and whether the two x are equal.
#
#   benchmarks/images/bench.sh [--count N] [--size S] [--compression L] [--json]
#
# Generates /tmp/lnet-bench/photos<N>/ with make_photos.py the first time
# (N = 2000 by default: 300–800 px JPEGs, about 100 MB; never committed).
# $LNET names an lnet binary to use instead of building one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="$root/.venv/bin/python"
count=2000
size=64
compression=0
json=0
while [ $# -gt 0 ]; do
    case "$1" in
        --count) count="$2"; shift 2 ;;
        --size) size="$2"; shift 2 ;;
        --compression) compression="$2"; shift 2 ;;
        --json) json=1; shift ;;
        *) echo "usage: bench.sh [--count N] [--size S] [--compression L] [--json]" >&2; exit 64 ;;
    esac
done
work=/tmp/lnet-bench
photos="$work/photos$count"
mkdir -p "$work"
if [ ! -f "$photos/.complete" ]; then
    rm -rf "$photos"
    "$python" "$here/make_photos.py" "$photos" --count "$count"
    touch "$photos/.complete"
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
# One untimed pass over the files first, so that both sides read them from the page cache.
cat "$photos"/*/*.jpg > /dev/null
bytes=$(du -sb "$photos" | cut -f1)
read -r lw lu ls lm < <(measure "$lnet" convert "$photos" "$work/photos-lnet.h5" --size "$size" --force --quiet --compression "$compression")
read -r pw pu ps pm < <(measure "$python" "$here/bench_pillow.py" "$photos" "$work/photos-pillow.h5" --size "$size" --compression "$compression")
same=$("$python" -c '
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1]), h5py.File(sys.argv[2])
print(bool(np.array_equal(a["x"][...], b["x"][...]) and np.array_equal(a["y"][...], b["y"][...])))' "$work/photos-lnet.h5" "$work/photos-pillow.h5")
rm -f "$work/photos-lnet.h5" "$work/photos-pillow.h5"
"$python" - "$count" "$size" "$compression" "$json" "$bytes" "$same" "$lw" "$lu" "$ls" "$lm" "$pw" "$pu" "$ps" "$pm" <<'PY'
import json, sys
count, size, level, as_json, folder_bytes, same = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5]), sys.argv[6] == "True"
lw, lu, ls, lm, pw, pu, ps, pm = map(float, sys.argv[7:])
lc, pc = lu + ls, pu + ps
if as_json:
    print(json.dumps({"photos": count, "size": size, "compression": level, "folder_bytes": folder_bytes, "same_x": same,
                      "lnet_wall_s": lw, "lnet_cpu_s": lc, "lnet_peak_rss_kib": lm,
                      "pillow_wall_s": pw, "pillow_cpu_s": pc, "pillow_peak_rss_kib": pm}))
    sys.exit(0)
print(f"{count} JPEGs ({folder_bytes / 1e6:.0f} MB) → HDF5 at {size}×{size}, gzip {level}; same x and y: {same}")
print(f"lnet convert:         {lw:7.2f} s wall ({count / lw:5.0f} photos/s); {lc:6.2f} s CPU; peak RSS {lm / 1024:5.0f} MiB")
print(f"Pillow+numpy+h5py:    {pw:7.2f} s wall ({count / pw:5.0f} photos/s); {pc:6.2f} s CPU; peak RSS {pm / 1024:5.0f} MiB")
print(f"speed-up: {pw / lw:.2f}x wall, {pc / lc:.2f}x CPU (target 2x wall)")
PY
