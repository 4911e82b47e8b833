#!/usr/bin/env python3
"""The baseline for LNet's checkpoint save and load: h5py writing and reading the
same layout (formats/checkpoint.md) with the same filters, for the course's cat
model with Adam state (layers 12288, 20, 7, 5, 1).

Writing: every attribute LNet writes, every tensor chunked as one chunk with the
fletcher32 filter, into a temporary file in the same folder, then os.fsync, rename
over the target and fsync of the folder, as LNet's AtomicFile does.
Reading: every attribute and every tensor back into numpy arrays.

    .venv/bin/python benchmarks/checkpoint/bench_h5py.py [--repeat N] [--dir DIR] [--json]
"""
import argparse
import json
import os
import statistics
import tempfile
import time

import h5py
import numpy as np

DIMS = [12288, 20, 7, 5, 1]


def checkpoint():
    rng = np.random.default_rng(1)
    shapes = {}
    for layer in range(1, len(DIMS)):
        shapes[f"W{layer}"] = (DIMS[layer], DIMS[layer - 1])
        shapes[f"b{layer}"] = (DIMS[layer], 1)
    names = sorted(shapes)
    parameters = {n: rng.uniform(-1, 1, shapes[n]) * 0.01 for n in names}
    v = {"d" + n: rng.uniform(-1, 1, shapes[n]) * 1e-3 for n in names}
    s = {"d" + n: rng.uniform(-1, 1, shapes[n]) ** 2 * 1e-6 for n in names}
    key = rng.integers(0, 2**32, 624, dtype=np.uint32)
    costs = 0.7 * np.exp(-np.arange(100) / 50)
    return parameters, v, s, key, costs


def tensor(group, name, value):
    group.create_dataset(name, data=value, chunks=value.shape, fletcher32=True)


def write_into(f, parameters, v, s, key, costs):
    f.attrs["format"] = "lnet-checkpoint"
    f.attrs["format_version"] = np.int64(1)
    f.attrs["created_by"] = "bench_h5py"
    m = f.create_group("model")
    m.attrs["layer_dims"] = np.array(DIMS, dtype=np.int64)
    m.attrs["activations"] = ["relu", "relu", "relu", "sigmoid"]
    m.attrs["loss"] = "binary_cross_entropy"
    m.attrs["init"] = "deep"
    m.attrs["classes"] = ["non-cat", "cat"]
    m.attrs["input_divisor"] = np.float64(255)
    p = f.create_group("parameters")
    for name, value in parameters.items():
        tensor(p, name, value)
    o = f.create_group("optimizer")
    for name, value in (("name", "adam"), ("learning_rate", 0.0075), ("learning_rate0", 0.0075), ("beta1", 0.9),
                        ("beta2", 0.999), ("epsilon", 1e-8), ("t", np.int64(400)), ("decay", "none"),
                        ("decay_rate", 0.0), ("decay_interval", np.int64(1000))):
        o.attrs[name] = value
    for group, tensors in (("v", v), ("s", s)):
        g = o.create_group(group)
        for name, value in tensors.items():
            tensor(g, name, value)
    t = f.create_group("training")
    for name, value in (("epoch", 100), ("epochs_target", 2500), ("batch_in_epoch", 0), ("seed", 1),
                        ("shuffle_seed", 10), ("batch_size", 64), ("rng_pos", 624), ("rng_has_gauss", 0)):
        t.attrs[name] = np.int64(value)
    for name, value in (("epoch_cost_sum", 0.0), ("l2", 0.0), ("keep_prob", 1.0), ("rng_gauss", 0.0)):
        t.attrs[name] = np.float64(value)
    for name, value in (("data", "/data/train_catvnoncat.h5"), ("x_name", "train_set_x"), ("y_name", "train_set_y"),
                        ("data_sha256", "0123456789abcdef" * 4), ("test_data", "")):
        t.attrs[name] = value
    tensor(t, "costs", costs)
    tensor(t, "rng_key", key)


def write(path, content):
    temporary = f"{path}.tmp-{os.getpid()}"
    with h5py.File(temporary, "w") as f:
        write_into(f, *content)
    descriptor = os.open(temporary, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
    folder = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def read(path):
    """Every attribute and every dataset, as numpy values."""
    content = {}

    def visit(name, obj):
        content.update({f"{name}@{key}": value for key, value in obj.attrs.items()})
        if isinstance(obj, h5py.Dataset):
            content[name] = obj[()]

    with h5py.File(path, "r") as f:
        content.update({f"@{key}": value for key, value in f.attrs.items()})
        f.visititems(visit)
    return content


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    path = os.path.join(os.path.abspath(args.dir), f"h5py-bench-checkpoint-{os.getpid()}.h5")
    content = checkpoint()
    try:
        write(path, content)  # untimed warm-up, as on the LNet side
        back = read(path)
        assert np.array_equal(back["parameters/W1"], content[0]["W1"])
        writes, reads = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            write(path, content)
            written = time.perf_counter()
            back = read(path)
            done = time.perf_counter()
            assert len(back) > 24
            writes.append(written - start)
            reads.append(done - written)
        size = os.path.getsize(path)
    finally:
        if os.path.exists(path):
            os.remove(path)
    result = {"tool": "h5py", "h5py": h5py.__version__, "hdf5": h5py.version.hdf5_version, "repeat": args.repeat,
              "bytes": size, "write_median_s": statistics.median(writes), "write_min_s": min(writes),
              "read_median_s": statistics.median(reads), "read_min_s": min(reads)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"h5py  {size / 1e6:.2f} MB: write (fsync'd) median {result['write_median_s'] * 1e3:.2f} ms "
              f"(min {min(writes) * 1e3:.2f}); read median {result['read_median_s'] * 1e3:.2f} ms "
              f"(min {min(reads) * 1e3:.2f}); {args.repeat} repetitions")


if __name__ == "__main__":
    main()
