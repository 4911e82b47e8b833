"""numpy's (OpenBLAS's) side of floor.c: the cat model's two X-sized products in
every storage of the operands and the output, float64 and float32, interleaved
round after round; prints each variant's median process CPU milliseconds (wall
time on a machine loaded many times over its cores measures the other processes).

  .venv/bin/python benchmarks/blas/floor_numpy.py [ROUNDS]
"""
import itertools
import sys
import time

import numpy as np

N1, NX, M = 20, 12288, 209


def variants(dtype):
    W = (np.arange(N1 * NX) % 7 * 0.01 - 0.03).reshape(N1, NX).astype(dtype)
    X = (np.arange(NX * M) % 256 / 255.0).reshape(NX, M).astype(dtype)
    dZ = (np.arange(N1 * M) % 5 * 0.1 - 0.2).reshape(N1, M).astype(dtype)
    stored = {"W1-as-is": W, "W1-transposed": np.ascontiguousarray(W.T).T,
              "X course": X, "X examples-first": np.ascontiguousarray(X.T).T,
              "dZ1-as-is": dZ, "dZ1-transposed": np.ascontiguousarray(dZ.T).T}
    scale = dtype(1.0 / M)
    for w, x, out in itertools.product(("W1-as-is", "W1-transposed"), ("X course", "X examples-first"),
                                       ("Z1-as-is", "Z1-transposed")):
        a, b = stored[w], stored[x]
        body = (lambda a=a, b=b: a @ b) if out == "Z1-as-is" else (lambda a=a, b=b: b.T @ a.T)
        yield f"{np.dtype(dtype).name} Z1=W1.X {w} {x} {out}", body
    for z, x, out in itertools.product(("dZ1-as-is", "dZ1-transposed"), ("X course", "X examples-first"),
                                       ("dW1-as-is", "dW1-transposed")):
        a, b = stored[z], stored[x]
        body = (lambda a=a, b=b: scale * (a @ b.T)) if out == "dW1-as-is" else (lambda a=a, b=b: scale * (b @ a.T))
        yield f"{np.dtype(dtype).name} dW1=dZ1.Xt {z} {x} {out}", body


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    bodies = list(variants(np.float64)) + list(variants(np.float32))
    times = {name: [] for name, _ in bodies}
    for _ in range(rounds):
        for name, body in bodies:
            start = time.process_time()
            body()
            times[name].append(time.process_time() - start)
    config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    print(f"numpy {np.__version__}, {config.get('name')} {config.get('version')}, "
          f"median CPU ms of {rounds} interleaved rounds")
    for name, _ in bodies:
        print(f"{name} {1e3 * float(np.median(times[name])):.3f}")


if __name__ == "__main__":
    main()
