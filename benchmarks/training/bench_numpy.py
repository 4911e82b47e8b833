"""numpy timings of the course's two reference models, to compare with lnet-bench-training.

  .venv/bin/python benchmarks/training/bench_numpy.py moons [epochs]   # Adam, 5000 epochs by default
  .venv/bin/python benchmarks/training/bench_numpy.py cat DIR [epochs] # 2500 epochs; DIR from dump_cat.py

Both use numpy_reference.py (the course's L_model_forward / L_model_backward, Adam and
random_mini_batches, operation for operation). numpy's own BLAS (OpenBLAS) uses its
default thread count (2 here). Prints wall and process CPU seconds.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_reference as ref  # noqa: E402


def timed(body):
    wall, cpu = time.perf_counter(), time.process_time()
    result = body()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def moons(epochs):
    from sklearn.datasets import make_moons
    np.random.seed(3)
    x, y = make_moons(n_samples=300, noise=.2)
    X = x.T.copy()
    for optimizer in ("gd", "momentum", "adam"):
        result, wall, cpu = timed(lambda: ref.train(X, y, [2, 5, 2, 1], ["relu", "relu"], "sigmoid", "he", 3,
                                                    optimizer, 0.0007, epochs))
        costs = result["costs"]
        accuracy = np.mean(ref.predict(X, result["parameters"], ["relu", "relu"], "sigmoid") == y)
        print("numpy moons %-8s %d epochs: wall %.3f s cpu %.3f s  cost[0] %.6f cost[1000] %.6f  accuracy %.4f"
              % (optimizer, epochs, wall, cpu, costs[0], costs[min(1000, len(costs) - 1)], accuracy))


def load(directory, name):
    rows, cols = map(int, open(os.path.join(directory, name + "_shape.txt")).read().split())
    X = np.fromfile(os.path.join(directory, name + "_x.f64"), dtype="<f8").reshape(rows, cols)
    y = np.fromfile(os.path.join(directory, name + "_y.f64"), dtype="<f8").astype(int)
    return X, y


def cat(directory, epochs):
    X, y = load(directory, "train")
    Xt, yt = load(directory, "test")
    hidden = ["relu", "relu", "relu"]
    result, wall, cpu = timed(lambda: ref.train(X, y, [12288, 20, 7, 5, 1], hidden, "sigmoid", "deep", 1, "gd",
                                                0.0075, epochs, batch_size=X.shape[1]))
    costs = result["costs"]
    train_acc = np.mean(ref.predict(X, result["parameters"], hidden, "sigmoid") == y)
    test_acc = np.mean(ref.predict(Xt, result["parameters"], hidden, "sigmoid") == yt)
    print("numpy cat %d epochs: wall %.3f s cpu %.3f s  cost[0] %.6f cost[last] %.6f  train %.4f test %.4f"
          % (epochs, wall, cpu, costs[0], costs[-1], train_acc, test_acc))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "cat":
        cat(sys.argv[2] if len(sys.argv) > 2 else "/tmp/lnet-cat", int(sys.argv[3]) if len(sys.argv) > 3 else 2500)
    else:
        moons(int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
