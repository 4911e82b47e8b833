import Foundation
import LNetTestSupport
import Testing

/// `lnet convert FOLDER OUT.h5 --size N`, end to end: the dataset h5py reads
/// equals what Pillow makes of the same photos, computed here by Pillow itself.
@Suite("lnet convert of photo folders, end to end")
struct ImageConvertCommandTests {
    /// Writes `cat/` and `dog/` photo-like JPEGs and PNGs (some grey, palette, RGBA, EXIF-rotated) into `folder`.
    static func makePhotos(in folder: URL) throws {
        try Python.run(script: """
            import os, sys
            import numpy as np
            from PIL import Image
            root = sys.argv[1]
            rng = np.random.default_rng(3)
            def photo(w, h):
                y, x = np.mgrid[0:h, 0:w]
                base = np.stack([128 + 100 * np.sin(x / (3 + c) + y / (5 + c)) for c in range(3)], -1)
                return Image.fromarray(np.clip(base + rng.normal(0, 20, (h, w, 3)), 0, 255).astype(np.uint8))
            exif = Image.Exif(); exif[0x0112] = 6
            for label, count in (("dog", 4), ("cat", 5)):
                os.makedirs(os.path.join(root, label))
                for i in range(count):
                    im = photo(40 + 7 * i, 90 - 9 * i)
                    kind = i % 4
                    path = os.path.join(root, label, f"{label}{i}")
                    if kind == 0: im.save(path + ".jpg", quality=85, exif=exif.tobytes())
                    elif kind == 1: im.convert("L").save(path + ".png")
                    elif kind == 2: im.quantize(colors=40).save(path + ".png")
                    else: im.putalpha(200); im.save(path + ".png")
            open(os.path.join(root, "cat", ".DS_Store"), "wb").write(b"hidden files are ignored")
            """, [folder.path])
    }

    /// Pillow's pixels for every photo in `folder` (sorted classes, sorted files), and the labels, as h5py reads `out`.
    static func compareWithPillow(folder: URL, output: String, size: Int, exifTranspose: Bool = false) throws -> String {
        try Python.run(script: """
            import os, sys
            import h5py, numpy as np
            from PIL import Image, ImageOps
            root, out, size, transpose = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
            classes = sorted(os.listdir(root))
            xs, ys = [], []
            for label, name in enumerate(classes):
                for f in sorted(n for n in os.listdir(os.path.join(root, name)) if not n.startswith(".")):
                    im = Image.open(os.path.join(root, name, f))
                    if transpose: im = ImageOps.exif_transpose(im)
                    xs.append(np.asarray(im.convert("RGB").resize((size, size))))
                    ys.append(label)
            with h5py.File(out, "r") as h:
                x, y = h["x"][...], h["y"][...]
                names = [c.decode() for c in h["classes"][...]]
                attrs = dict(h["x"].attrs)
            assert x.dtype == np.uint8 and x.shape == (len(xs), size, size, 3), x.shape
            assert y.dtype == np.int64 and list(y) == ys, (y, ys)
            assert names == classes, names
            assert list(attrs["image_size"]) == [size, size] and attrs["image_channels"] == "RGB"
            assert bool(attrs["image_exif_transpose"]) == transpose
            print(int(np.abs(x.astype(int) - np.stack(xs).astype(int)).max()))
            """, [folder.path, output, String(size), exifTranspose ? "1" : "0"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func folderOfPhotosEqualsPillow() throws {
        let scratch = try Repository.scratchFolder("images-convert")
        let photos = scratch.appendingPathComponent("photos")
        try Self.makePhotos(in: photos)
        let output = scratch.appendingPathComponent("pets.h5").path
        let result = try LNetBinary.run(["convert", photos.path, output, "--size", "24"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("wrote \(output): 9 examples, x uint8 (9, 24, 24, 3), y int64, 2 classes (cat, dog)"))
        #expect(try Self.compareWithPillow(folder: photos, output: output, size: 24) == "0")

        let upright = scratch.appendingPathComponent("upright.h5").path
        #expect(try LNetBinary.run(["convert", photos.path, upright, "--size", "24", "--exif-transpose", "--quiet"]).status == 0)
        #expect(try Self.compareWithPillow(folder: photos, output: upright, size: 24, exifTranspose: true) == "0")
    }

    @Test func splitAndLabelsFile() throws {
        let scratch = try Repository.scratchFolder("images-split")
        let photos = scratch.appendingPathComponent("photos")
        try Self.makePhotos(in: photos)
        let output = scratch.appendingPathComponent("pets.h5").path
        let result = try LNetBinary.run(["convert", photos.path, output, "--size", "8", "--split", "0.6", "--seed", "2", "--compression", "9", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let counts = try Python.run(script: """
            import sys, h5py
            print(*[h5py.File(p)["x"].shape[0] for p in sys.argv[1:]])
            """, [scratch.appendingPathComponent("pets-train.h5").path, scratch.appendingPathComponent("pets-test.h5").path])
        #expect(counts.trimmingCharacters(in: .whitespacesAndNewlines) == "5 4")

        // A labels file: names become sorted classes; files are relative to the folder.
        let list = scratch.appendingPathComponent("list.csv")
        try Data("file,label\ndog/dog1.png,puppy\ncat/cat0.jpg,kitten\n\"cat/cat3.png\",kitten\n".utf8).write(to: list)
        let listed = scratch.appendingPathComponent("listed.h5").path
        let byList = try LNetBinary.run(["convert", photos.path, listed, "--size", "8", "--labels", list.path])
        #expect(byList.status == 0, "\(byList.stderr)")
        #expect(byList.stdout.hasPrefix("wrote \(listed): 3 examples, x uint8 (3, 8, 8, 3), y int64, 2 classes (kitten, puppy)"))
    }

    /// A fault inside libjpeg-turbo (made for real: the library's scanline reader is replaced through
    /// LD_PRELOAD by one that dereferences NULL) ends the conversion with one line naming the photo,
    /// exit 1, and neither the output nor a temporary file left behind.
    @Test func aCrashInsideTheDecoderNamesThePhotoAndLeavesNothing() throws {
        let scratch = try Repository.scratchFolder("images-decoder-crash")
        let photos = scratch.appendingPathComponent("photos")
        try Self.makePhotos(in: photos)
        let source = Repository.root.appendingPathComponent("Tests/lnetTests/Faults/crashing_decoder.c").path
        let library = scratch.appendingPathComponent("crashing_decoder.so").path
        let compiled = try Subprocess.run(URL(fileURLWithPath: "/usr/bin/cc"), ["-shared", "-fPIC", "-o", library, source])
        #expect(compiled.status == 0, "\(compiled.stderr)")
        let output = scratch.appendingPathComponent("pets.h5").path
        let result = try Subprocess.run(
            try LNetBinary.url(), ["convert", photos.path, output, "--size", "8", "--quiet"],
            environment: ["LD_PRELOAD": library], timeout: 300)
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first.map { $0.hasPrefix("error: \(photos.path)/") && $0.contains(".jpg: the image decoder crashed (SIGSEGV)") } == true,
                "\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix("pets") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func unreadableSubfolderIsNamed() throws {
        let scratch = try Repository.scratchFolder("images-unreadable")
        let photos = scratch.appendingPathComponent("photos")
        try Self.makePhotos(in: photos)
        let locked = photos.appendingPathComponent("cat")
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
        // Root reads any folder: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH so the permission counts.
        let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
        let prefix = ["--bounding-set", "-dac_override,-dac_read_search", try LNetBinary.url().path]
        let output = scratch.appendingPathComponent("pets.h5").path
        let refused = try Subprocess.run(setpriv, prefix + ["convert", photos.path, output, "--size", "8"])
        #expect(refused.status == 1)
        #expect(refused.stderr == "error: \(locked.path): cannot list the folder: Permission denied\n")
        #expect(!FileManager.default.fileExists(atPath: output))

        let skipped = try Subprocess.run(setpriv, prefix + ["convert", photos.path, output, "--size", "8", "--skip-bad"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.hasPrefix("wrote \(output): 4 examples, x uint8 (4, 8, 8, 3), y int64, 2 classes (cat, dog)"))
        #expect(skipped.stderr == "note: \(photos.path): skipped 1 file that could not be read:\n  \(locked.path): cannot list the folder: Permission denied\n")
    }

    @Test func sizeIsRequiredForFoldersAndOnlyForThem() throws {
        let scratch = try Repository.scratchFolder("images-usage")
        let photos = scratch.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos.appendingPathComponent("a"), withIntermediateDirectories: true)
        let missing = try LNetBinary.run(["convert", photos.path, scratch.appendingPathComponent("o.h5").path])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("--size is needed for a folder of images"))
        let csv = scratch.appendingPathComponent("a.csv")
        try Data("a,label\n1,0\n".utf8).write(to: csv)
        let misplaced = try LNetBinary.run(["convert", csv.path, scratch.appendingPathComponent("o.h5").path, "--size", "8"])
        #expect(misplaced.status == 64)
        #expect(misplaced.stderr.contains("--size applies to a folder of images only"))
        let tooBig = try LNetBinary.run(["convert", photos.path, scratch.appendingPathComponent("o.h5").path, "--size", "5000"])
        #expect(tooBig.status == 64)
        #expect(tooBig.stderr.contains("--size must be 1–4096, not 5000"))
    }
}
