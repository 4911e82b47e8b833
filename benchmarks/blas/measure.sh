#!/usr/bin/env bash
# Measures the candidate BLAS libraries from Debian's archive on the cat model's
# largest products, to choose the one LNet links (see README.md here).
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if [ ! -e /usr/lib/x86_64-linux-gnu/blis-openmp/libblis.so ] || [ ! -e /usr/lib/x86_64-linux-gnu/libopenblas.so ]; then
    echo "measure.sh needs libblis-openmp-dev and libopenblas-dev (apt-get install them)" >&2
    exit 1
fi
gcc -O2 -DBLIS gemm.c -L/usr/lib/x86_64-linux-gnu/blis-openmp -lblis \
    -Wl,-rpath,/usr/lib/x86_64-linux-gnu/blis-openmp -o "$out/gemm-blis"
gcc -O2 gemm.c -lopenblas -o "$out/gemm-openblas"
for threads in 1 2; do echo "BLIS 0.9, $threads thread(s): $("$out/gemm-blis" "$threads")"; done
echo "OpenBLAS 0.3.21 (own detection): $(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$out/gemm-openblas")"
echo "OpenBLAS 0.3.21 (OPENBLAS_CORETYPE=SkylakeX): $(OPENBLAS_CORETYPE=SkylakeX "$out/gemm-openblas")"
gcc -O2 layouts.c -L/usr/lib/x86_64-linux-gnu/blis-openmp -lblis \
    -Wl,-rpath,/usr/lib/x86_64-linux-gnu/blis-openmp -o "$out/layouts"
echo "BLIS 0.9, 2 threads, X in each layout, in a training loop:"
"$out/layouts" 2
