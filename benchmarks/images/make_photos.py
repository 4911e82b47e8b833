"""Writes N photo-like JPEGs into FOLDER/<class>/, for the photo-conversion benchmark.

    python make_photos.py FOLDER [--count 2000] [--seed 1]

Each photo is 300–800 pixels a side (independently), a smooth colour field with
blobs, edges and sensor-like noise, saved at JPEG quality 75–95 with 4:2:0
chroma subsampling (what cameras and phones write); a few are grey. Two classes,
`cat` and `not-cat`, so the dataset has the course's shape. Seeded: the same
folder every run. Never committed (about 100 MB for 2,000 photos).
"""
import argparse
import os

import numpy as np
from PIL import Image


def photo(rng, width, height):
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    planes = []
    for c in range(3):
        fx, fy, phase = rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0), rng.uniform(0, 6.3)
        planes.append(120 + 80 * np.sin(fx * x / width * 3.1 + phase) * np.cos(fy * y / height * 3.1))
    image = np.stack(planes, axis=-1)
    for _ in range(int(rng.integers(3, 8))):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(20, min(width, height) / 2)
        mask = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        image[mask] += rng.uniform(-70, 70, 3).astype(np.float32)
    image += rng.normal(0, 6, image.shape).astype(np.float32)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for label in ("cat", "not-cat"):
        os.makedirs(os.path.join(args.folder, label), exist_ok=True)
    for i in range(args.count):
        label = "cat" if i % 3 == 0 else "not-cat"
        image = photo(rng, int(rng.integers(300, 801)), int(rng.integers(300, 801)))
        if i % 25 == 0:
            image = image.convert("L")
        image.save(os.path.join(args.folder, label, f"{i:05d}.jpg"), quality=int(rng.integers(75, 96)))


if __name__ == "__main__":
    main()
