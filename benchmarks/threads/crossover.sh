#!/bin/sh
# Builds and runs crossover.c against BLIS, with OpenMP's passive wait policy as lnet
# sets it (pass "active" to see libgomp's default instead).
set -eu
cd "$(dirname "$0")"
cc -O2 -o /tmp/lnet-crossover crossover.c -lblis
OMP_WAIT_POLICY=${1:-passive} /tmp/lnet-crossover
