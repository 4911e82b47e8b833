"""LNet's Keras exports and imports against the real Keras 3 (KERAS_BACKEND=torch) of the venv (formats/keras.md).

usage: check_keras.py PHASE WORK

Run twice by Tests/lnetTests/KerasInteropTests.swift (importing keras and torch takes seconds, so every check of a
phase is in one run), with the files lnet wrote in WORK:

phase "export" (LNet -> Keras), given moons.h5, m.h5 (trained by lnet on it, --standardize), its exports
m.weights.h5, m32.weights.h5 (--dtype float32), m.keras, m32.keras, and mp.h5 (lnet predict m.h5):
  - keras.Sequential([Input, Dense, ...]).load_weights() of each .weights.h5, fed the preprocessed features, and
    keras.saving.load_model() of each .keras, fed the raw features, hold LNet's parameters (float64: bit for bit) and
    predict as lnet predict does. Keras 3.15.1 computes a float64 model's matmul in float32 under every backend but
    TensorFlow (keras/src/backend/common/dtypes.py, BIT64_TO_BIT32_DTYPE), so Keras's own predict() agrees to 1e-6
    in both types; the float64 bound, 1e-12, holds for the model Keras loaded evaluated in float64 from its own
    layers' variables and settings (float64_forward).
Then it prepares phase "import": two models trained in Keras (float64, Adam), saved by Keras: A (tanh, Dropout,
sigmoid) as A.weights.h5 and A.keras, B (an adapted Normalization, relu, sigmoid) as B.keras, with their
predictions on the moons (A_p.npy, B_p.npy).

phase "import" (Keras -> LNet), given ap.h5, akp.h5 and bkp.h5 (lnet predict of the imports of A.weights.h5,
A.keras and B.keras): LNet's predictions equal Keras's predict() to 1e-6 (its float32 matmul) and the float64
evaluation of Keras's model to 1e-12.

Prints one JSON object of the measured largest relative errors; the Swift test holds the bounds.
"""
import json
import os
import sys

os.environ["KERAS_BACKEND"] = "torch"

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


def relative_error(a, b):
    """The largest |a - b| / max(|b|, tiny) over all elements."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) if a.size else 0.0


def lnet_positive(path):
    """lnet predict's P(class 1) for a sigmoid output, as a column."""
    with h5py.File(path, "r") as f:
        p = f["probabilities"][()]
    return p[:, -1:] if p.ndim == 2 else p.reshape(-1, 1)


def checkpoint_model(path):
    """The checkpoint's layer sizes, activations and preprocessing, read as a Python user would."""
    with h5py.File(path, "r") as f:
        model = f["model"]
        dims = [int(v) for v in model.attrs["layer_dims"]]
        activations = [a.decode() if isinstance(a, bytes) else str(a) for a in model.attrs["activations"]]
        divisor = float(model.attrs.get("input_divisor", 1.0))
        mean = model["input_mean"][()] if "input_mean" in model else None
        std = model["input_std"][()] if "input_std" in model else None
    return dims, activations, divisor, mean, std


ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "linear": lambda z: z,
    "softmax": lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
}


def numpy_of(value):
    return keras.ops.convert_to_numpy(value).astype(np.float64)


def float64_forward(model, x):
    """The Keras model, evaluated in float64 from its loaded layers' own variables and settings."""
    a = np.asarray(x, dtype=np.float64)
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Dense":
            a = ACTIVATIONS[layer.activation.__name__](a @ numpy_of(layer.kernel) + numpy_of(layer.bias))
        elif kind == "Rescaling":
            a = a * np.asarray(layer.scale, dtype=np.float64) + np.asarray(layer.offset, dtype=np.float64)
        elif kind == "Normalization":
            a = (a - numpy_of(layer.mean)) / np.maximum(np.sqrt(numpy_of(layer.variance)), 1e-7)
        elif kind == "Dropout":
            pass
        else:
            raise ValueError(kind)
    return a


def sequential(dims, activations, dtype):
    """The model the README tells a Keras user to build for load_weights."""
    layers = [keras.Input((dims[0],), dtype=dtype)]
    layers += [keras.layers.Dense(n, activation=a, dtype=dtype) for n, a in zip(dims[1:], activations)]
    return keras.Sequential(layers)


def export_phase(work):
    path = lambda name: os.path.join(work, name)  # noqa: E731
    results = {}
    with h5py.File(path("moons.h5"), "r") as f:
        moons = f["x"][()].astype(np.float64)

    for name, x, suffix, dtype, prediction in [
        ("m", moons, "", "float64", "mp.h5"), ("m", moons, "32", "float32", "mp.h5"),
    ]:
        dims, activations, divisor, mean, std = checkpoint_model(path(name + ".h5"))
        expected = lnet_positive(path(prediction))
        prepared = x / divisor
        if mean is not None:
            prepared = (prepared - mean) / std
        model = sequential(dims, activations, dtype)
        model.load_weights(path(f"{name}{suffix}.weights.h5"))
        assert all(str(w.dtype) == dtype for w in model.weights), [w.dtype for w in model.weights]
        if dtype == "float64":
            with h5py.File(path(name + ".h5"), "r") as f:
                same = all(np.array_equal(numpy_of(layer.kernel), f["parameters"][f"W{i + 1}"][()].T)
                           and np.array_equal(numpy_of(layer.bias), f["parameters"][f"b{i + 1}"][()][:, 0])
                           for i, layer in enumerate(model.layers))
            results[f"load_weights_{name}_bits_differ"] = 0.0 if same else 1.0
            results[f"load_weights_{name}_float64_forward"] = relative_error(float64_forward(model, prepared), expected)
        results[f"load_weights_{name}_{dtype}"] = relative_error(model.predict(prepared.astype(dtype), verbose=0), expected)
        loaded = keras.saving.load_model(path(f"{name}{suffix}.keras"))
        assert all(str(w.dtype) == dtype for w in loaded.weights), [w.dtype for w in loaded.weights]
        if dtype == "float64":
            results[f"load_model_{name}_float64_forward"] = relative_error(float64_forward(loaded, x), expected)
        results[f"load_model_{name}_{dtype}"] = relative_error(loaded.predict(x.astype(dtype), verbose=0), expected)

    # Phase "import"'s Keras side: models trained and saved by Keras, in float64.
    with h5py.File(path("moons.h5"), "r") as f:
        y = f["y"][()].astype(np.float64).reshape(-1, 1)
    keras.utils.set_random_seed(0)
    d = "float64"
    a = keras.Sequential([keras.Input((2,), dtype=d), keras.layers.Dense(4, activation="tanh", dtype=d),
                          keras.layers.Dropout(0.1, dtype=d), keras.layers.Dense(1, activation="sigmoid", dtype=d)])
    a.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    a.fit(moons, y, epochs=5, batch_size=64, verbose=0)
    a.save_weights(path("A.weights.h5"))
    a.save(path("A.keras"))
    np.save(path("A_p.npy"), a.predict(moons, verbose=0))
    np.save(path("A_p64.npy"), float64_forward(a, moons))
    normalization = keras.layers.Normalization(dtype=d)
    normalization.adapt(moons)
    b = keras.Sequential([keras.Input((2,), dtype=d), normalization, keras.layers.Dense(5, activation="relu", dtype=d),
                          keras.layers.Dense(1, activation="sigmoid", dtype=d)])
    b.compile(optimizer="adam", loss="binary_crossentropy")
    b.fit(moons, y, epochs=3, batch_size=50, verbose=0)
    b.save(path("B.keras"))
    np.save(path("B_p.npy"), b.predict(moons, verbose=0))
    np.save(path("B_p64.npy"), float64_forward(b, moons))
    return results


def import_phase(work):
    path = lambda name: os.path.join(work, name)  # noqa: E731
    results = {}
    for key, prediction, model in [("A_weights", "ap.h5", "A"), ("A_keras", "akp.h5", "A"), ("B_keras", "bkp.h5", "B")]:
        results[f"import_{key}"] = relative_error(lnet_positive(path(prediction)), np.load(path(f"{model}_p.npy")))
        results[f"import_{key}_float64_forward"] = relative_error(lnet_positive(path(prediction)), np.load(path(f"{model}_p64.npy")))
    return results


if __name__ == "__main__":
    phase, work = sys.argv[1], sys.argv[2]
    print(json.dumps(export_phase(work) if phase == "export" else import_phase(work)))
