"""LNet's safetensors exports and imports against the real torch and safetensors (formats/interchange.md).

usage: check_safetensors.py WORK

Run twice by Tests/lnetTests/SafetensorsInteropTests.swift (torch takes seconds to import, so every check of a
phase is in one run), with the files lnet wrote in WORK:

phase "export" (LNet → PyTorch), given c.h5 (trained by lnet, Adam, full batch, --standardize), c.safetensors
(lnet export --optimizer --print-pytorch, whose printed Python is snippet.py), c32.safetensors (--dtype float32),
p.h5 (lnet predict) and c20.h5 (lnet resume c.h5 for 20 more epochs = 20 full-batch Adam steps):
  - the snippet, run as printed, rebuilds the model and the optimizer;
  - its predictions equal lnet predict's (float64: 1e-12 relative; float32: 1e-6);
  - 20 more Adam steps in PyTorch on the same batch equal LNet's 20 (1e-12 relative, on every parameter).
Then it prepares phase "import": a model trained in PyTorch (Adam, 5 full-batch steps) saved with
safetensors.torch.save_file as its own tensors plus the optimizer state named optimizer.<parameter>.<key> and the
learning rate as metadata, its predictions (torch_p.npy) and its parameters after 20 more steps (torch_20.npz).

phase "import" (PyTorch → LNet), given t.h5 (lnet import torch.safetensors --data), tp.h5 (lnet predict t.h5) and
t20.h5 (lnet resume t.h5 --epochs 20):
  - LNet's predictions equal PyTorch's (1e-12 relative);
  - LNet's 20 resumed steps equal PyTorch's 20 (1e-12 relative).

Prints one JSON object of the measured largest relative errors; the Swift test holds the bounds.
"""
import json
import os
import sys

import h5py
import numpy as np
import torch
from safetensors.torch import load_file, save_file

torch.set_num_threads(1)


def relative_error(a, b):
    """The largest |a - b| / max(|b|, tiny) over all elements."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) if a.size else 0.0


def bce(probabilities, y):
    """The course's cost: -1/m sum(y log a + (1 - y) log(1 - a)), as nn.BCELoss's mean."""
    return torch.nn.functional.binary_cross_entropy(probabilities, y)


def course_parameters(path):
    with h5py.File(path, "r") as f:
        return {name: f["parameters"][name][()] for name in f["parameters"]}


def torch_as_course(model):
    """The Sequential's parameters under the course's names: module 2(l-1) is layer l; b as (n, 1)."""
    out = {}
    for name, value in model.state_dict().items():
        index, kind = name.split(".")
        layer = int(index) // 2 + 1
        v = value.detach().numpy()
        out[("W" if kind == "weight" else "b") + str(layer)] = v if kind == "weight" else v.reshape(-1, 1)
    return out


def export_phase(work):
    with h5py.File(os.path.join(work, "moons.h5"), "r") as f:
        x = f["x"][()]
        y = f["y"][()].astype(np.float64).reshape(-1, 1)
    results = {}
    # The snippet lnet printed, run as a user would paste it, with x in scope.
    scope = {"x": x}
    exec(open(os.path.join(work, "snippet.py")).read(), scope)
    model, optimizer, prepare = scope["model"], scope["optimizer"], scope["prepare"]
    with h5py.File(os.path.join(work, "p.h5"), "r") as f:
        lnet_probabilities = f["probabilities"][()]
    with torch.no_grad():
        torch_probabilities = model(prepare(x)).numpy()
    # lnet predict stores P(class) per class: for a sigmoid output, the column of class 1.
    lnet_positive = lnet_probabilities[:, -1:] if lnet_probabilities.ndim == 2 else lnet_probabilities.reshape(-1, 1)
    results["predict_float64"] = relative_error(torch_probabilities, lnet_positive)

    # float32: the snippet lnet printed for c32.safetensors, in float32 throughout.
    scope32 = {"x": x}
    exec(open(os.path.join(work, "snippet32.py")).read(), scope32)
    assert all(p.dtype == torch.float32 for p in scope32["model"].parameters())
    with torch.no_grad():
        results["predict_float32"] = relative_error(scope32["model"](scope32["prepare"](x)).numpy(), lnet_positive)

    # 20 more Adam steps on the full batch, from the exported state, against lnet resume's 20 epochs.
    xt = prepare(x)
    yt = torch.as_tensor(y)
    for _ in range(20):
        optimizer.zero_grad()
        bce(model(xt), yt).backward()
        optimizer.step()
    lnet_20 = course_parameters(os.path.join(work, "c20.h5"))
    ours = torch_as_course(model)
    results["adam_20_steps"] = max(relative_error(ours[name], lnet_20[name]) for name in lnet_20)
    results["adam_step_after"] = float(optimizer.state_dict()["state"][0]["step"])

    # Phase "import"'s PyTorch side: a model of PyTorch's own, Adam for 5 steps, saved with its state.
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1), torch.nn.Sigmoid()).to(torch.float64)
    adam = torch.optim.Adam(net.parameters(), lr=0.01)
    xr = torch.as_tensor(x)
    for _ in range(5):
        adam.zero_grad()
        bce(net(xr), yt).backward()
        adam.step()
    tensors = {k: v.detach().clone() for k, v in net.state_dict().items()}
    names = [n for n, _ in net.named_parameters()]
    for i, n in enumerate(names):
        for key, value in adam.state_dict()["state"][i].items():
            tensors[f"optimizer.{n}.{key}"] = value.detach().clone()
    save_file(tensors, os.path.join(work, "torch.safetensors"), metadata={"lnet.optimizer.lr": "0.01"})
    with torch.no_grad():
        np.save(os.path.join(work, "torch_p.npy"), net(xr).numpy())
    for _ in range(20):
        adam.zero_grad()
        bce(net(xr), yt).backward()
        adam.step()
    np.savez(os.path.join(work, "torch_20.npz"), **torch_as_course(net))
    return results


def import_phase(work):
    results = {}
    with h5py.File(os.path.join(work, "tp.h5"), "r") as f:
        lnet_probabilities = f["probabilities"][()]
    torch_probabilities = np.load(os.path.join(work, "torch_p.npy"))
    lnet_positive = lnet_probabilities[:, -1:] if lnet_probabilities.ndim == 2 else lnet_probabilities.reshape(-1, 1)
    results["import_predict"] = relative_error(lnet_positive, torch_probabilities)
    torch_20 = np.load(os.path.join(work, "torch_20.npz"))
    lnet_20 = course_parameters(os.path.join(work, "t20.h5"))
    results["import_adam_20_steps"] = max(relative_error(lnet_20[name], torch_20[name]) for name in torch_20.files)
    return results


if __name__ == "__main__":
    phase, work = sys.argv[1], sys.argv[2]
    print(json.dumps(export_phase(work) if phase == "export" else import_phase(work)))
