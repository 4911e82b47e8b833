"""Photo-like test images, and what Pillow makes of them.

    python pillow_images.py FOLDER [SIZES]

writes into FOLDER a corpus of JPEG and PNG files (gradients plus noise, many
sizes, grey, palette, alpha, 16-bit, CMYK, progressive, interlaced, EXIF
orientations) and, for each file NAME, Pillow's own results as raw bytes:

  NAME.rgb              Image.open(NAME).convert("RGB")
  NAME.WxH.rgb          Image.open(NAME).convert("RGB").resize((W, H))
  NAME.exif.rgb         ImageOps.exif_transpose(Image.open(NAME)).convert("RGB")

and manifest.json listing every file with its sizes. SIZES is a comma list of
WxH targets (default: the ones below). The LNet tests decode and resize the
same files and compare every byte.
"""
import io
import json
import os
import sys

import numpy as np
from PIL import Image, ImageOps

SIZES = [(64, 64), (1, 1), (5, 3), (33, 71), (128, 128), (300, 7)]


def photo(width, height, seed, channels=3):
    """A smooth gradient with blobs and noise: edges and texture like a photo's."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = []
    for c in range(channels):
        fx, fy = rng.uniform(0.5, 4.0, 2)
        phase = rng.uniform(0, 6.3)
        base = 127 + 90 * np.sin(fx * x / max(width, 1) * 3.1 + phase) * np.cos(fy * y / max(height, 1) * 3.1)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        blob = 80 * ((x - cx) ** 2 + (y - cy) ** 2 < (min(width, height) / 4) ** 2)
        noise = rng.normal(0, 18, (height, width))
        planes.append(base + blob + noise)
    array = np.clip(np.stack(planes, axis=-1), 0, 255).astype(np.uint8)
    return array


def exif_with_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def corpus(folder):
    made = []

    def save(name, image, **options):
        path = os.path.join(folder, name)
        image.save(path, **options)
        made.append(name)

    shapes = [(1, 1), (2, 3), (7, 5), (16, 16), (64, 64), (63, 65), (100, 37), (37, 100), (301, 203), (517, 389)]
    for i, (w, h) in enumerate(shapes):
        rgb = Image.fromarray(photo(w, h, i))
        save(f"rgb_{w}x{h}_q90.jpg", rgb, quality=90)
        save(f"rgb_{w}x{h}.png", rgb)
    big = Image.fromarray(photo(640, 480, 99))
    save("rgb_q75_420.jpg", big, quality=75, subsampling=2)
    save("rgb_q95_444.jpg", big, quality=95, subsampling=0)
    save("rgb_q85_422.jpg", big, quality=85, subsampling=1)
    save("rgb_progressive.jpg", big, quality=80, progressive=True)
    save("rgb_odd_420.jpg", Image.fromarray(photo(333, 251, 7)), quality=70, subsampling=2)
    grey = Image.fromarray(photo(211, 157, 3, channels=1)[:, :, 0])
    save("grey.jpg", grey, quality=88)
    save("grey.png", grey)
    save("cmyk.jpg", Image.frombytes("CMYK", (120, 90), photo(120, 90, 5, channels=4).tobytes()), quality=90)
    rgba = Image.fromarray(photo(150, 110, 11, channels=4))
    save("rgba.png", rgba)
    la = Image.frombytes("LA", (90, 70), photo(90, 70, 12, channels=2).tobytes())
    save("la.png", la)
    palette = Image.fromarray(photo(130, 97, 13)).quantize(colors=200)
    save("palette.png", palette)
    palette_t = Image.fromarray(photo(50, 40, 14)).quantize(colors=16)
    save("palette_trns.png", palette_t, transparency=3)
    save("palette_4bit.png", palette_t, bits=4)
    bw = grey.convert("1")
    save("bilevel.png", bw)
    grey16 = Image.fromarray((photo(80, 60, 15, channels=1)[:, :, 0].astype(np.uint16) * 3))
    save("grey16.png", grey16)
    save("grey_trns.png", grey, transparency=17)
    # 16-bit colour and 2/4-bit grey are written through raw PNG chunks below.
    made.extend(raw_pngs(folder))
    base = Image.fromarray(photo(60, 40, 21))
    for orientation in range(1, 9):
        save(f"exif_{orientation}.jpg", base, quality=92, exif=exif_with_orientation(orientation))
    save("exif_6.png", base, exif=exif_with_orientation(6))
    return made


def raw_pngs(folder):
    """PNGs Pillow cannot write: 16-bit RGB/RGBA/LA and 2/4-bit grey, with interlacing."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    def write(name, width, height, depth, color, rows):
        raw = b"".join(b"\x00" + row for row in rows)
        data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0))
        data += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
        return name

    names = []
    rng = np.random.default_rng(5)
    w, h = 45, 33
    for channels, color, label in [(3, 2, "rgb16"), (4, 6, "rgba16"), (2, 4, "la16")]:
        values = (photo(w, h, 30 + channels, channels=channels).astype(np.uint16) * 257 + rng.integers(0, 256, (h, w, channels))).astype(">u2")
        names.append(write(f"{label}.png", w, h, 16, color, [values[y].tobytes() for y in range(h)]))
    for depth in (2, 4):
        levels = (1 << depth) - 1
        values = rng.integers(0, levels + 1, (h, w))
        rows = []
        for y in range(h):
            bits = "".join(format(int(v), f"0{depth}b") for v in values[y])
            bits += "0" * (-len(bits) % 8)
            rows.append(int(bits, 2).to_bytes(len(bits) // 8, "big"))
        names.append(write(f"grey{depth}.png", w, h, depth, 0, rows))
    return names


def main():
    folder = sys.argv[1]
    sizes = SIZES
    if len(sys.argv) > 2:
        sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[2].split(",")]
    os.makedirs(folder, exist_ok=True)
    names = corpus(folder)
    entries = []
    for name in names:
        path = os.path.join(folder, name)
        with Image.open(path) as opened:
            rgb = opened.convert("RGB")
            upright = ImageOps.exif_transpose(opened).convert("RGB")
        with open(path + ".rgb", "wb") as f:
            f.write(rgb.tobytes())
        with open(path + ".exif.rgb", "wb") as f:
            f.write(upright.tobytes())
        for w, h in sizes:
            with open(path + f".{w}x{h}.rgb", "wb") as f:
                f.write(rgb.resize((w, h)).tobytes())
        entries.append({"file": name, "width": rgb.width, "height": rgb.height,
                        "upright_width": upright.width, "upright_height": upright.height})
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump({"sizes": [list(s) for s in sizes], "images": entries}, f)


if __name__ == "__main__":
    main()
