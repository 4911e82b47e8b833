"""The course's two reference models in PyTorch (CPU), written as a PyTorch user would.

  .venv/bin/python benchmarks/training/torch_reference.py moons OPTIMIZER EPOCHS [float64|float32]
  .venv/bin/python benchmarks/training/torch_reference.py cat EPOCHS [float64|float32]

The same models and settings as `lnet train` and numpy_reference.py: moons [2,5,2,1]
(relu, relu, sigmoid; He init with seed 3; batches of 64, reshuffled every epoch; lr
0.0007 with gd, momentum β=0.9 as the course's (1−β)-damped velocity, or Adam), and the
cat model [12288,20,7,5,1] (relu ×3, sigmoid; "deep" init randn/√n; full-batch gradient
descent at 0.0075). `nn.Linear` layers in an `nn.Sequential`, `BCEWithLogitsLoss`,
`torch.optim`, a `DataLoader`-free batch loop (as the course's own loop), the data as a
tensor of the chosen dtype already in memory. It is a timing baseline: its random
streams are PyTorch's, so its numbers are not LNet's bit for bit (the costs it prints
are there to show it trains the same model to the same place).

Prints one JSON line: wall and process CPU seconds of the training loop alone, the
first and last costs, the torch version, its thread count and its BLAS configuration.
"""
import json
import math
import os
import sys
import time

import h5py
import numpy as np
import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def linear_stack(sizes, init):
    layers = []
    for l in range(1, len(sizes)):
        layer = nn.Linear(sizes[l - 1], sizes[l])
        with torch.no_grad():
            scale = math.sqrt(2 / sizes[l - 1]) if init == "he" else 1 / math.sqrt(sizes[l - 1])
            layer.weight.copy_(torch.randn(sizes[l], sizes[l - 1]) * scale)
            layer.bias.zero_()
        layers.append(layer)
        if l < len(sizes) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class CourseMomentum(torch.optim.Optimizer):
    """The course's momentum, v = βv + (1−β)dW (torch's SGD momentum has no (1−β))."""

    def __init__(self, params, lr, beta=0.9):
        super().__init__(params, {"lr": lr, "beta": beta})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                v = self.state[p].setdefault("v", torch.zeros_like(p))
                v.mul_(group["beta"]).add_(p.grad, alpha=1 - group["beta"])
                p.sub_(v, alpha=group["lr"])


def train(model, X, y, optimizer, epochs, batch_size, shuffle_seed=10):
    loss_fn = nn.BCEWithLogitsLoss(reduction="sum")
    m = X.shape[0]
    costs = []
    generator = torch.Generator().manual_seed(shuffle_seed)
    for _ in range(epochs):
        order = torch.randperm(m, generator=generator) if batch_size < m else None
        total = 0.0
        for start in range(0, m, batch_size):
            index = order[start:start + batch_size] if order is not None else slice(None)
            xb, yb = X[index], y[index]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            (loss / xb.shape[0]).backward()
            optimizer.step()
            total += loss.item()
        costs.append(total / m)
    return costs


def timed(body):
    wall, cpu = time.perf_counter(), time.process_time()
    result = body()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main():
    kind = sys.argv[1]
    if kind == "moons":
        optimizer_name, epochs = sys.argv[2], int(sys.argv[3])
        dtype = torch.float32 if sys.argv[4:] == ["float32"] else torch.float64
        with h5py.File(os.path.join(root, "samples/moons.h5"), "r") as f:
            x, labels = f["x"][()], f["y"][()]
        sizes, init, lr, batch = [2, 5, 2, 1], "he", 0.0007, 64
        torch.manual_seed(3)
    else:
        epochs = int(sys.argv[2])
        dtype = torch.float32 if sys.argv[3:] == ["float32"] else torch.float64
        optimizer_name = "gd"
        shared = os.path.join(os.path.dirname(root), "shared/datasets")
        with h5py.File(os.path.join(shared, "train_catvnoncat.h5"), "r") as f:
            x, labels = f["train_set_x"][()].reshape(209, -1) / 255., f["train_set_y"][()]
        sizes, init, lr, batch = [12288, 20, 7, 5, 1], "deep", 0.0075, 209
        torch.manual_seed(1)
    model = linear_stack(sizes, init).to(dtype)
    X = torch.tensor(x, dtype=dtype)
    y = torch.tensor(labels, dtype=dtype).reshape(-1, 1)
    if optimizer_name == "gd":
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    elif optimizer_name == "momentum":
        optimizer = CourseMomentum(model.parameters(), lr=lr)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    costs, wall, cpu = timed(lambda: train(model, X, y, optimizer, epochs, batch))
    print(json.dumps({"model": kind, "optimizer": optimizer_name, "epochs": epochs, "dtype": str(dtype),
                      "wall_s": wall, "cpu_s": cpu, "first_cost": costs[0], "last_cost": costs[-1],
                      "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "blas": torch.backends.mkl.is_available() and "mkl" or "other"}), flush=True)


if __name__ == "__main__":
    main()
    # Leave without tearing down torch's thread pools, which can stall for minutes on a loaded machine.
    os._exit(0)
