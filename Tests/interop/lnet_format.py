"""The LNet file formats (formats/*.md) as plain h5py/numpy code.

Shared by the interop scripts here: they check what LNet writes and write what
LNet must read, with nothing but h5py and numpy, exactly as a user would.
"""
import hashlib
import struct

import h5py
import numpy as np

HIDDEN_ACTIVATIONS = {"relu", "leaky_relu", "tanh", "sigmoid", "linear"}
LOSS_OF_OUTPUT = {"sigmoid": "binary_cross_entropy", "softmax": "categorical_cross_entropy"}


def fingerprint(x, y):
    """The data fingerprint of formats/dataset.md."""
    h = hashlib.sha256()
    for name, a in (("x", x), ("y", y.reshape(-1))):
        shape = ",".join(str(d) for d in (a.shape if name == "x" else (a.size,)))
        h.update(f"{name} {a.dtype.name} {shape}\n".encode())
        h.update(np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes())
    return h.hexdigest()


SETTINGS_CHECKSUM = "settings_sha256"
SETTINGS_GROUPS = ("/", "/model", "/optimizer", "/training")
SETTINGS_DATASETS = (("/training", "costs"), ("/training", "rng_key"),
                     ("/training", "test_epochs"), ("/training", "test_costs"), ("/training", "test_accuracy"))
TEST_HISTORY = ("test_epochs", "test_costs", "test_accuracy")
BEST_RECORD = ("best_cost", "best_epoch", "best_judged_on")


def _u64(n):
    return struct.pack("<Q", n)


def _text(value):
    """A string as formats/checkpoint.md hashes it: its UTF-8 byte count (8 bytes, little-endian), then the bytes.
    A fixed-length string ends at its first NUL, as HDF5's C strings do."""
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8")
    raw = raw.split(b"\0", 1)[0]
    return _u64(len(raw)) + raw


def _record(origin, group, name, value):
    a = np.asarray(value)
    if a.dtype.kind in "iu":
        kind, body = b"i", a.astype("<i8").tobytes()
    elif a.dtype.kind == "f":
        kind, body = b"f", a.astype("<f8").tobytes()
    elif a.dtype.kind == "b":
        kind, body = b"b", a.astype("u1").tobytes()
    elif a.dtype.kind in "OSU":
        kind, body = b"s", b"".join(_text(element) for element in a.reshape(-1))
    else:
        raise ValueError(f"{group} {name}: {a.dtype} cannot be covered by the settings checksum")
    return origin + _text(group) + _text(name) + kind + (b"\0" if a.ndim == 0 else b"\1") + _u64(a.size) + body


def settings_sha256(f):
    """The settings checksum of formats/checkpoint.md ("Integrity") of the open h5py file `f`, as hex digits."""
    h = hashlib.sha256()
    for group in SETTINGS_GROUPS:
        if group not in f:
            continue
        attrs = f[group].attrs
        for name in sorted(attrs):  # str order is the order of the UTF-8 bytes
            if group == "/" and name == SETTINGS_CHECKSUM:
                continue
            h.update(_record(b"A", group, name, attrs[name]))
    for group, name in SETTINGS_DATASETS:
        path = f"{group}/{name}"
        if path in f:
            h.update(_record(b"D", group, name, f[path][()]))
    return h.hexdigest()


def seal(f):
    """Stores the settings checksum of the open h5py file `f` (after its last change)."""
    f.attrs[SETTINGS_CHECKSUM] = settings_sha256(f)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def check_checkpoint(path):
    """Returns the list of ways the file at `path` departs from formats/checkpoint.md."""
    problems = []

    def expect(condition, message):
        if not condition:
            problems.append(message)

    with h5py.File(path, "r") as f:
        expect(text(f.attrs.get("format", "")) == "lnet-checkpoint", "root attribute format")
        expect(int(f.attrs.get("format_version", -1)) == 1, "root attribute format_version")
        expect(text(f.attrs.get("created_by", "")).startswith("lnet "), "root attribute created_by")
        recorded = text(f.attrs.get(SETTINGS_CHECKSUM, ""))
        recomputed = settings_sha256(f)
        expect(recorded == recomputed, f"settings_sha256 {recorded or '(missing)'} is not the settings' checksum {recomputed}")

        model = f["model"]
        dims = model.attrs["layer_dims"]
        expect(dims.dtype == np.int64 and dims.ndim == 1, "layer_dims is an int64 array")
        layers = len(dims) - 1
        activations = [text(a) for a in model.attrs["activations"]]
        expect(len(activations) == layers, "one activation per layer")
        expect(all(a in HIDDEN_ACTIVATIONS for a in activations[:-1]), "hidden activations")
        expect(text(model.attrs["loss"]) == LOSS_OF_OUTPUT.get(activations[-1]), "loss matches the output")
        expect(text(model.attrs.get("init", "unknown")) in {"he", "deep", "scaled", "unknown"}, "init")

        shapes = {}
        for l in range(1, layers + 1):
            shapes[f"W{l}"] = (int(dims[l]), int(dims[l - 1]))
            shapes[f"b{l}"] = (int(dims[l]), 1)
        # /training dtype: the type of every tensor, float64 when absent.
        dtype = text(f["training"].attrs.get("dtype", "float64")) if "training" in f else "float64"
        expect(dtype in {"float64", "float32"}, f"training dtype {dtype}")
        params = f["parameters"]
        expect(set(params.keys()) == set(shapes), f"parameter names {sorted(params.keys())}")
        for name, shape in shapes.items():
            d = params[name]
            expect(d.shape == shape, f"{name} shape {d.shape} != {shape}")
            expect(d.dtype == np.dtype(dtype), f"{name} dtype {d.dtype}, the run's is {dtype}")
            expect(d.fletcher32, f"{name} has no fletcher32 checksum")
            expect(np.all(np.isfinite(d[()])), f"{name} has non-finite values")

        opt = f["optimizer"]
        name = text(opt.attrs["name"])
        expect(name in {"gd", "momentum", "adam"}, f"optimizer name {name}")
        for key in ("learning_rate", "learning_rate0", "decay_rate"):
            expect(opt.attrs[key].dtype == np.float64, f"optimizer {key} float64")
        expect(opt.attrs["t"].dtype == np.int64 and opt.attrs["t"] >= 0, "optimizer t")
        expect(text(opt.attrs["decay"]) in {"none", "inverse", "scheduled"}, "optimizer decay")
        moments = {"gd": [], "momentum": ["v"], "adam": ["v", "s"]}[name]
        for moment in moments:
            for pname, shape in shapes.items():
                d = opt[f"{moment}/d{pname}"]
                expect(d.shape == shape, f"{moment}/d{pname} shape")
                expect(d.dtype == np.dtype(dtype), f"{moment}/d{pname} dtype {d.dtype}, the run's is {dtype}")
                expect(d.fletcher32, f"{moment}/d{pname} has no fletcher32 checksum")
        if name == "momentum":
            expect("beta" in opt.attrs, "momentum beta")
        if name == "adam":
            expect(all(k in opt.attrs for k in ("beta1", "beta2", "epsilon")), "adam betas")

        tr = f["training"]
        for key in ("epoch", "epochs_target", "batch_in_epoch", "seed", "shuffle_seed", "batch_size", "rng_pos", "rng_has_gauss"):
            expect(tr.attrs[key].dtype == np.int64, f"training {key} int64")
        for key in ("epoch_cost_sum", "l2", "keep_prob", "rng_gauss"):
            expect(tr.attrs[key].dtype == np.float64, f"training {key} float64")
        # A sharded or distributed run (formats/checkpoint.md, "Gradient shards") adds both, else neither.
        expect(("gradient_shards" in tr.attrs) == ("ranks" in tr.attrs), "gradient_shards and ranks come together")
        for key in ("gradient_shards", "ranks"):
            if key in tr.attrs:
                expect(tr.attrs[key].dtype == np.int64 and tr.attrs[key] >= 1, f"training {key} int64, 1 or more")
        expect(len(text(tr.attrs["data_sha256"])) == 64, "data_sha256")
        expect(text(tr.attrs["data"]).startswith("/"), "data is an absolute path")
        expect(tr["costs"].shape == (int(tr.attrs["epoch"]),), "one cost per completed epoch")
        key = tr["rng_key"][()]
        expect(key.dtype == np.uint32 and key.shape == (624,), "rng_key")
        epoch = int(tr.attrs["epoch"])
        present = [name for name in TEST_HISTORY if name in tr]
        expect(present in ([], list(TEST_HISTORY)), f"the test history is all of {TEST_HISTORY} or none: {present}")
        if present == list(TEST_HISTORY):
            epochs, costs, accuracy = (tr[name][()] for name in TEST_HISTORY)
            expect(epochs.dtype == np.int64 and costs.dtype == np.float64 and accuracy.dtype == np.float64,
                   "test history dtypes int64, float64, float64")
            expect(epochs.shape == costs.shape == accuracy.shape and epochs.ndim == 1, "test history lengths")
            expect(np.all(np.diff(epochs) > 0) and np.all((epochs >= 0) & (epochs < epoch)),
                   "test_epochs strictly increasing, each below epoch")
            expect(np.all((accuracy >= 0) & (accuracy <= 1)), "test_accuracy in [0, 1]")
        best = [name for name in BEST_RECORD if name in tr.attrs]
        expect(best in ([], list(BEST_RECORD)), f"the best record is all of {BEST_RECORD} or none: {best}")
        if best == list(BEST_RECORD):
            expect(tr.attrs["best_cost"].dtype == np.float64 and tr.attrs["best_epoch"].dtype == np.int64, "best dtypes")
            expect(0 <= int(tr.attrs["best_epoch"]) < epoch, "best_epoch below epoch")
            expect(text(tr.attrs["best_judged_on"]) in {"test_cost", "cost"}, "best_judged_on")
        state = ("MT19937", key, int(tr.attrs["rng_pos"]), int(tr.attrs["rng_has_gauss"]), float(tr.attrs["rng_gauss"]))
        np.random.RandomState().set_state(state)  # raises if numpy refuses the state
    return problems
