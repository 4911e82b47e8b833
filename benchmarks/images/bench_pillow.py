"""The photo-conversion job as a course student writes it: Pillow, numpy, h5py.

    python bench_pillow.py FOLDER OUT.h5 --size 64 [--compression L]

One subfolder per class (sorted names are the labels); every image is
`np.array(Image.open(path).convert("RGB").resize((size, size)))`, as the
course's "test with your own image" cell prepares a photo; the stacked
array is written with h5py as x uint8 (m, size, size, 3), y int64 and classes,
uncompressed, or shuffle + gzip L when L > 0 (as lnet convert --compression L).
"""
import argparse
import os

import h5py
import numpy as np
from PIL import Image


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("output")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--compression", type=int, default=0)
    args = parser.parse_args()
    classes = sorted(n for n in os.listdir(args.folder) if not n.startswith("."))
    images, labels = [], []
    for label, name in enumerate(classes):
        folder = os.path.join(args.folder, name)
        for file in sorted(n for n in os.listdir(folder) if not n.startswith(".")):
            with Image.open(os.path.join(folder, file)) as image:
                images.append(np.array(image.convert("RGB").resize((args.size, args.size))))
            labels.append(label)
    x = np.stack(images)
    options = {"compression": "gzip", "compression_opts": args.compression, "shuffle": True} if args.compression else {}
    with h5py.File(args.output, "w") as f:
        f.create_dataset("x", data=x, **options)
        f.create_dataset("y", data=np.array(labels, dtype=np.int64))
        f["classes"] = np.array(classes, dtype="S")


if __name__ == "__main__":
    main()
