"""Writes checkpoints with h5py alone, as a numpy user of the course would.

usage: write_checkpoint.py OUT.h5 parameters-only LAYER_DIMS [--seal]
       write_checkpoint.py OUT.h5 adam LAYER_DIMS DATA.h5 [--seal]

LAYER_DIMS is comma-separated, input size first. Parameters come from the
course's initialize_parameters_deep (np.random.seed(1), randn / sqrt(n_prev)).
`adam` writes a complete version-1 checkpoint after zero epochs: Adam state of
zeros, t = 0, and the generator state numpy holds after the initialisation, so
resuming it must give the same bits as `lnet train --init deep --seed 1`.
With --seal, the file also gets the settings checksum `settings_sha256`
(formats/checkpoint.md, "Integrity"), computed here with hashlib; without it,
LNet reads the file and notes that its settings are unchecked.
"""
import os
import sys

import h5py
import numpy as np

import lnet_format

arguments = [a for a in sys.argv[1:] if a != "--seal"]
seal = "--seal" in sys.argv[1:]
out, kind, dims_text = arguments[:3]
dims = [int(d) for d in dims_text.split(",")]
layers = len(dims) - 1
np.random.seed(1)
parameters = {}
for l in range(1, layers + 1):
    parameters[f"W{l}"] = np.random.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1])
    parameters[f"b{l}"] = np.zeros((dims[l], 1))
activations = ["relu"] * (layers - 1) + ["sigmoid"]

with h5py.File(out, "w") as f:
    model = f.create_group("model")
    model.attrs["layer_dims"] = np.array(dims, dtype=np.int64)
    model.attrs["activations"] = activations
    model.attrs["loss"] = "binary_cross_entropy"
    for name, value in parameters.items():
        f[f"parameters/{name}"] = value
    if kind == "adam":
        data_path = os.path.abspath(arguments[3])
        with h5py.File(data_path, "r") as data:
            x, y = data["x"][()], data["y"][()]
        f.attrs["format"] = "lnet-checkpoint"
        f.attrs["format_version"] = np.int64(1)
        f.attrs["created_by"] = "lnet-interop-test (h5py)"
        model.attrs["init"] = "deep"
        model.attrs["input_divisor"] = 255.0 if x.dtype == np.uint8 else 1.0
        opt = f.create_group("optimizer")
        for key, value in dict(name="adam", decay="none").items():
            opt.attrs[key] = value
        for key, value in dict(learning_rate=0.0075, learning_rate0=0.0075, beta1=0.9, beta2=0.999,
                               epsilon=1e-8, decay_rate=0.0).items():
            opt.attrs[key] = np.float64(value)
        opt.attrs["t"] = np.int64(0)
        opt.attrs["decay_interval"] = np.int64(1000)
        for moment in ("v", "s"):
            for name, value in parameters.items():
                f[f"optimizer/{moment}/d{name}"] = np.zeros_like(value)
        tr = f.create_group("training")
        _, key, pos, has_gauss, gauss = np.random.get_state()
        ints = dict(epoch=0, epochs_target=3, batch_in_epoch=0, seed=1, shuffle_seed=10, batch_size=64,
                    rng_pos=pos, rng_has_gauss=has_gauss)
        for k, v in ints.items():
            tr.attrs[k] = np.int64(v)
        for k, v in dict(epoch_cost_sum=0.0, l2=0.0, keep_prob=1.0, rng_gauss=gauss).items():
            tr.attrs[k] = np.float64(v)
        for k, v in dict(data=data_path, x_name="x", y_name="y", test_data="",
                         data_sha256=lnet_format.fingerprint(x, y)).items():
            tr.attrs[k] = v
        tr["costs"] = np.zeros((0,), dtype=np.float64)
        tr["rng_key"] = key.astype(np.uint32)
    if seal:
        lnet_format.seal(f)
