"""Writes LNet's corpus of bad (and a few tricky but valid) inputs into a folder.

usage: .venv/bin/python scripts/make-bad-inputs.py OUT_DIR [--lnet PATH/TO/lnet]

The corpus is generated, never committed: Tests/lnetTests/BadInputMatrixTests.swift
runs this script into a temporary folder and then every command that reads
files on every relevant case (the outcomes are in
Tests/lnetTests/BadInputs/expectations.md).

With --lnet, the base checkpoint is trained by lnet itself (two epochs on
good.h5) so that the damaged copies are damaged *LNet* checkpoints, with
fletcher32 and every attribute; without it, no ckpt-* files are written.
Every random choice is seeded, so the corpus is the same on every run.
"""
import gzip
import io
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib

import h5py
import numpy as np

# The settings checksum (formats/checkpoint.md, "Integrity"), computed as a user of h5py would.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "interop"))
import lnet_format  # noqa: E402

M = 64  # examples in the small datasets: enough for a mini-batch, fast to train


def dataset(path, x, y=None, classes=None, **create):
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=x, **create)
        if y is not None:
            f["y"] = y
        if classes is not None:
            f["classes"] = np.array(classes, dtype="S")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    args = sys.argv[1:]
    lnet = None
    if "--lnet" in args:
        i = args.index("--lnet")
        lnet = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    out = args[0]
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)
    rng = np.random.RandomState(6)

    # Valid reference data: two features, binary labels.
    x = rng.randn(M, 2)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    dataset(p("good.h5"), x, y, classes=["no", "yes"])

    # Not HDF5 at all.
    write(p("empty.h5"), b"")
    write(p("random.h5"), rng.bytes(4096))
    # An HDF5 signature followed by noise: gets past the signature check.
    write(p("signature-noise.h5"), b"\x89HDF\r\n\x1a\n" + rng.bytes(4088))

    # Truncated HDF5 at several lengths (the superblock, the middle, near the end).
    good = open(p("good.h5"), "rb").read()
    for name, length in (("8", 8), ("96", 96), ("1024", 1024), ("half", len(good) // 2), ("end", len(good) - 64)):
        write(p(f"truncated-{name}.h5"), good[:length])

    # HDF5 datasets that are well-formed files but bad data.
    with h5py.File(p("x-strings.h5"), "w") as f:
        f["x"] = np.array([[b"a", b"b"]] * M)
        f["y"] = y
    dataset(p("xy-length.h5"), x, y[: M - 4])
    nan = x.copy()
    nan[3, 1] = np.nan
    nan[10, 0] = np.nan
    dataset(p("nan-features.h5"), nan, y)
    inf = x.copy()
    inf[5, 0] = np.inf
    dataset(p("inf-features.h5"), inf, y)
    bad_labels = y.copy()
    bad_labels[7] = 5
    dataset(p("labels-out-of-range.h5"), x, bad_labels, classes=["no", "yes"])
    negative = y.copy()
    negative[2] = -1
    dataset(p("labels-negative.h5"), x, negative)
    fractional = y.astype(np.float64)
    fractional[4] = 0.5
    dataset(p("labels-fractional.h5"), x, fractional)
    dataset(p("zero-examples.h5"), np.zeros((0, 2)), np.zeros((0,), dtype=np.int64))
    # x declares 2^40 × 2 float64 (16 TiB) but no chunk was ever written: the
    # file is a few KiB. A reader that trusts the shape allocates 16 TiB.
    with h5py.File(p("absurd-size.h5"), "w") as f:
        f.create_dataset("x", shape=(2 ** 40, 2), dtype="f8", chunks=(1024, 2), maxshape=(None, 2))
        f.create_dataset("y", shape=(2 ** 40,), dtype="i8", chunks=(1024,), maxshape=(None,))
    # Links that lead nowhere: the x name is there, its target is not.
    with h5py.File(p("dangling-soft-x.h5"), "w") as f:
        f["x"] = h5py.SoftLink("/missing")
        f["y"] = y
    with h5py.File(p("missing-external-x.h5"), "w") as f:
        f["x"] = h5py.ExternalLink("missing-other.h5", "/x")
        f["y"] = y

    # CSV.
    write(p("ragged.csv"), b"a,b,label\n1,2,0\n3,4\n5,6,1\n")
    write(p("non-numeric.csv"), b"a,b,label\n1,2,0\n3,four,1\n5,6,1\n")
    write(p("empty.csv"), b"")
    write(p("header-only.csv"), b"a,b,label\n")
    # Latin-1 "café" beside the UTF-8 one: decoded with U+FFFD, they would be one class.
    write(p("non-utf8-label.csv"), b"a,b,label\n1,2,caf\xc3\xa9\n3,4,caf\xe9\n")
    write(p("negative-label.csv"), b"a,b,label\n1,2,0\n3,4,-1\n5,6,1\n")

    # NumPy. The Fortran-order and big-endian files are valid and must convert
    # to exactly the values of the plain C-order little-endian reference.
    values = np.arange(24, dtype=np.float64).reshape(6, 4) / 7.0
    np.save(p("reference.npy"), values)
    np.save(p("fortran.npy"), np.asfortranarray(values))
    np.save(p("big-endian.npy"), values.astype(">f8"))
    write(p("bad-header.npy"), b"\x93NUMPY\x01\x00\x20\x00{'descr': '<f8', 'fortran_or\n" + b"\0" * 64)
    np.save(p("object.npy"), np.array([1, "a", None], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(p("bad-member.npz"), "w") as z:
        buffer = io.BytesIO()
        np.save(buffer, values)
        z.writestr("x.npy", b"\x93NUMPY garbage, not an array header" + b"\0" * 32)
        z.writestr("y.npy", buffer.getvalue())
    np.savez(p("good.npz"), x=values, y=np.arange(6) % 2)

    # MNIST IDX: 3 images of 2×2 plus their labels; then a wrong magic and a short body.
    images = struct.pack(">IIII", 0x00000803, 3, 2, 2) + bytes(range(12))
    labels = struct.pack(">II", 0x00000801, 3) + bytes([0, 1, 0])
    write(p("good-images-idx3-ubyte"), images)
    write(p("good-labels-idx1-ubyte"), labels)
    write(p("bad-magic-images-idx3-ubyte"), struct.pack(">IIII", 0x12345678, 3, 2, 2) + bytes(range(12)))
    write(p("short-images-idx3-ubyte"), images[:-5])
    write(p("short-images-idx3-ubyte.gz"), gzip.compress(images[:-5], mtime=0))

    safetensors_files(p)
    image_folders(p)
    keras_files(p)

    if lnet:
        checkpoints(lnet, p)


def safetensors_files(p):
    """A valid safetensors model written by the real library, then hand-made files that each break one rule
    of the format (safetensors/src/tensor.rs), and two valid files that are not a model LNet can import."""
    import json
    from safetensors.numpy import save_file

    weight = np.arange(3, dtype=np.float64).reshape(1, 3) / 7.0
    save_file({"0.weight": weight, "0.bias": np.zeros(1)}, p("st-good.safetensors"),
              metadata={"format": "pt", "lnet.activations": '["sigmoid"]'})
    save_file({"0.weight": weight, "0.bias": np.zeros(1)}, p("st-no-activations.safetensors"))
    save_file({"0.weight": weight, "0.bias": np.zeros(2)}, p("st-misshaped-bias.safetensors"),
              metadata={"lnet.activations": '["sigmoid"]'})

    def raw(name, header, data=b"", length=None):
        body = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
        n = len(body) if length is None else length
        write(p(name), struct.pack("<Q", n) + body + data)

    entry = lambda dtype, shape, begin, end: {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}
    write(p("st-empty.safetensors"), b"")
    raw("st-header-too-large.safetensors", b"{}", length=100_000_001)
    raw("st-header-past-end.safetensors", b"{}", length=1000)
    raw("st-not-utf8.safetensors", b'{"a\xff":{}}'.replace(b"\\xff", b"\xff"))
    raw("st-bad-json.safetensors", b'{"0.weight":{"dtype":"F64",')
    raw("st-unknown-dtype.safetensors", {"x": entry("F128", [1], 0, 16)}, b"\0" * 16)
    raw("st-gap.safetensors", {"a": entry("F64", [1], 0, 8), "b": entry("F64", [1], 16, 24)}, b"\0" * 24)
    raw("st-overlap.safetensors", {"a": entry("F64", [2], 0, 16), "b": entry("F64", [1], 8, 16)}, b"\0" * 16)
    raw("st-size-mismatch.safetensors", {"a": entry("F64", [3], 0, 16)}, b"\0" * 16)
    raw("st-trailing.safetensors", {"a": entry("F64", [1], 0, 8)}, b"\0" * 12)
    raw("st-out-of-bounds.safetensors", {"a": entry("F64", [2], 0, 16)}, b"\0" * 8)
    raw("st-metadata-number.safetensors", {"__metadata__": {"epoch": 3}, "a": entry("F64", [1], 0, 8)}, b"\0" * 8)
    raw("st-duplicate.safetensors", b'{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},'
                                    b'"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}', b"\0" * 8)
    raw("st-overflow.safetensors", {"a": entry("F64", [2 ** 62, 4], 0, 8)}, b"\0" * 8)


def image_folders(p):
    """Image folders for `convert FOLDER --size 8`: `images-good/` (two classes of
    small JPEG and PNG photos) and one folder per bad case, a copy of the good
    one plus the bad file in its `cat/` class."""
    from PIL import Image

    rng = np.random.default_rng(13)

    def photo(width, height):
        return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))

    good = p("images-good")
    for label in ("cat", "dog"):
        os.makedirs(os.path.join(good, label), exist_ok=True)
        for i in range(3):
            photo(20 + i, 15 + 2 * i).save(os.path.join(good, label, f"{label}{i}.jpg"), quality=85)
        photo(17, 23).save(os.path.join(good, label, f"{label}.png"))

    jpeg = io.BytesIO()
    photo(64, 48).save(jpeg, "JPEG", quality=90)
    jpeg = jpeg.getvalue()
    png = io.BytesIO()
    photo(32, 24).save(png, "PNG")
    png = bytearray(png.getvalue())
    bad_crc = bytes(png[:29]) + bytes([png[29] ^ 0xFF]) + bytes(png[30:])  # the IHDR chunk's CRC

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    # 50,000 × 50,000 RGB in 67 bytes: IHDR, an IDAT of nothing, IEND.
    bomb_png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 50000, 50000, 8, 2, 0, 0, 0))
    bomb_png += chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    # A real JPEG whose frame header (SOF0) declares 50,000 × 50,000.
    sof = jpeg.index(b"\xff\xc0")
    bomb_jpeg = jpeg[: sof + 5] + struct.pack(">HH", 50000, 50000) + jpeg[sof + 9 :]
    bad = {
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "bad-crc.png": bad_crc,
        "not-an-image.jpg": b"this is a text file, not a photo\n",
        "bomb.png": bomb_png,
        "bomb.jpg": bomb_jpeg,
        "empty.jpg": b"",
    }
    for name, data in bad.items():
        folder = p("images-" + name.replace(".", "-"))
        shutil.copytree(good, folder)
        write(os.path.join(folder, "cat", name), data)


def keras_files(p):
    """A valid Keras 3 .weights.h5 and .keras (the layout keras 3.15.1 writes, made with h5py and zipfile, without
    importing Keras), then archives that each break one rule of what LNet imports (formats/keras.md)."""
    import json
    import zipfile

    def weights(path, kernel_shape=(3, 1)):
        with h5py.File(path, "w") as f:
            v = f.create_group("layers/dense/vars")
            v.attrs["name"] = "dense"
            v["0"] = np.arange(np.prod(kernel_shape), dtype=np.float32).reshape(kernel_shape) / 7
            v["1"] = np.zeros(kernel_shape[1], dtype=np.float32)
            f.create_group("vars").attrs["name"] = "sequential"

    def dense(units, activation):
        return {"module": "keras.layers", "class_name": "Dense",
                "config": {"name": "dense", "units": units, "activation": activation, "use_bias": True}}

    def config(layers, class_name="Sequential"):
        inputs = {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 3], "name": "input_layer"}}
        return json.dumps({"module": "keras", "class_name": class_name, "config": {"name": "sequential", "layers": [inputs] + layers}})

    weights(p("k-good.weights.h5"))
    with open(p("k-good.weights.h5"), "rb") as f:
        good_weights = f.read()

    def archive(name, config_text, members=("metadata.json", "config.json", "model.weights.h5"), deflate=False):
        with zipfile.ZipFile(p(name), "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as z:
            for member in members:
                if member == "metadata.json":
                    z.writestr(member, json.dumps({"keras_version": "3.15.1", "date_saved": "2026-01-01@00:00:00"}))
                elif member == "config.json":
                    z.writestr(member, config_text)
                else:
                    z.writestr(member, good_weights)

    archive("k-good.keras", config([dense(1, "sigmoid")]))
    write(p("k-not-zip.keras"), b"not a zip archive at all, just text")
    archive("k-no-config.keras", "", members=("metadata.json", "model.weights.h5"))
    archive("k-bad-json.keras", '{"class_name": "Sequential", "config": {')
    archive("k-deep.keras", "[" * 100_000 + "]" * 100_000)  # nested past any parser's depth: refused, no stack overflow
    archive("k-functional.keras", config([dense(1, "sigmoid")], class_name="Functional"))
    archive("k-conv.keras", config([{"class_name": "Conv2D", "config": {"name": "conv2d"}}, dense(1, "sigmoid")]))
    archive("k-linear-output.keras", config([dense(1, "linear")]))
    archive("k-units-mismatch.keras", config([dense(2, "sigmoid")]))
    # 17 MiB of JSON whitespace, deflated to a few KiB: refused by its declared size before it is read.
    archive("k-huge-config.keras", config([dense(1, "sigmoid")]) + " " * (17 << 20), deflate=True)


def checkpoints(lnet, p):
    base = p("ckpt-good.h5")
    subprocess.run([lnet, "train", "--data", p("good.h5"), "--layers", "3,1", "--epochs", "2",
                    "--batch-size", "32", "--quiet", "--checkpoint", base, "--force"],
                   check=True, stdout=subprocess.DEVNULL)

    def variant(name, change, seal=True):
        """A copy of the base changed by `change`; sealed (its settings checksum stored anew) unless
        the case is the stale checksum itself, so that each case shows the reader's check of its own."""
        path = p(name)
        shutil.copyfile(base, path)
        with h5py.File(path, "r+") as f:
            change(f)
            if seal:
                lnet_format.seal(f)

    def replace(f, name, value):
        del f[name]
        f[name] = value

    variant("ckpt-missing-tensor.h5", lambda f: f.__delitem__("parameters/W2"))
    variant("ckpt-misshaped.h5", lambda f: replace(f, "parameters/W1", np.zeros((4, 2))))

    def nan_parameter(f):
        w = f["parameters/W1"][()]
        w[0, 0] = np.nan
        replace(f, "parameters/W1", w)
    variant("ckpt-nan.h5", nan_parameter)
    variant("ckpt-version.h5", lambda f: f.attrs.__setitem__("format_version", np.int64(99)))
    variant("ckpt-negative-t.h5", lambda f: f["optimizer"].attrs.__setitem__("t", np.int64(-5)))

    def flip_beta1(f):
        # One bit of a valid setting: 0.9 becomes 0.93125, still a valid beta1. Only the checksum tells.
        bits = np.array([f["optimizer"].attrs["beta1"]], dtype=np.float64).view(np.uint64) ^ np.uint64(1 << 48)
        f["optimizer"].attrs["beta1"] = bits.view(np.float64)[0]
    variant("ckpt-flipped-setting.h5", flip_beta1, seal=False)

    def test_history_past_epoch(f):
        # A test record after epoch 5 in a checkpoint of 2 epochs: a history that cannot be.
        f["training/test_epochs"] = np.array([0, 5], dtype=np.int64)
        f["training/test_costs"] = np.array([0.7, 0.6])
        f["training/test_accuracy"] = np.array([0.5, 0.6])
    variant("ckpt-test-history.h5", test_history_past_epoch)
    variant("ckpt-best-unpaired.h5", lambda f: f["training"].attrs.__setitem__("best_cost", 0.5))
    good = open(base, "rb").read()
    write(p("ckpt-truncated.h5"), good[: len(good) // 2])


if __name__ == "__main__":
    main()
