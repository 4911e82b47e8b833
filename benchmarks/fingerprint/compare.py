"""The data fingerprint (formats/dataset.md), LNet against h5py + hashlib, in one run.

  .venv/bin/python benchmarks/fingerprint/compare.py [--mib 256] [--repeat 3] [--bench PATH] [--json]

Writes a float64 dataset of about --mib MiB (chunked along rows, as `lnet convert`
writes) to /tmp, then times `lnet-bench-checkpoint --fingerprint` (DatasetFile:
x and y read a block at a time, digested by libcrypto's SHA-256) and the same
fingerprint computed the numpy way (h5py reads x and y, hashlib digests them:
Tests/interop/lnet_format.py's `fingerprint`). Fastest of --repeat each; checks
that both give the same digest.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(root, "Tests", "interop"))
from lnet_format import fingerprint  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bench", default=os.path.join(root, ".build/release/lnet-bench-checkpoint"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    features = 1024
    m = max(1, (args.mib << 20) // (8 * features))
    path = f"/tmp/lnet-bench-fingerprint-{args.mib}m.h5"
    if not os.path.exists(path):
        rng = np.random.RandomState(0)
        with h5py.File(path + ".part", "w") as f:
            x = f.create_dataset("x", shape=(m, features), dtype="f8", chunks=(64, features))
            for start in range(0, m, 4096):
                x[start:start + 4096] = rng.randn(min(4096, m - start), features)
            f["y"] = (rng.rand(m) > 0.5).astype(np.int64)
        os.replace(path + ".part", path)

    result = subprocess.run([args.bench, "--fingerprint", path, "--repeat", str(args.repeat), "--json"],
                            capture_output=True, text=True, check=True)
    lnet = json.loads(result.stdout)

    best, digest = float("inf"), None
    for _ in range(args.repeat):
        start = time.perf_counter()
        with h5py.File(path, "r") as f:
            digest = fingerprint(f["x"][()], f["y"][()])
        best = min(best, time.perf_counter() - start)

    size = os.path.getsize(path)
    row = {"bytes": size, "lnet_s": lnet["fingerprint_min_s"], "h5py_hashlib_s": best,
           "same_digest": digest == lnet["sha256"]}
    if args.json:
        print(json.dumps(row))
        return
    print(f"fingerprint of {size / 1e6:.0f} MB: lnet {row['lnet_s']:.3f} s ({size / row['lnet_s'] / 1e6:.0f} MB/s), "
          f"h5py + hashlib {best:.3f} s ({size / best / 1e6:.0f} MB/s): "
          f"{best / row['lnet_s']:.2f}x; same digest: {row['same_digest']}")
    if not row["same_digest"]:
        sys.exit("the digests differ")


if __name__ == "__main__":
    main()
