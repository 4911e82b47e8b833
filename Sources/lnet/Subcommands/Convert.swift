import ArgumentParser
import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `lnet convert INPUT OUTPUT`: CSV/TSV, NumPy, MNIST IDX or HDF5 to a dataset
/// file, a dataset to CSV, or a checkpoint to `.npz`. The work is done by
/// `DatasetConverter` in LNetStorage; this file parses options and prints progress.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert CSV, NumPy, MNIST IDX, HDF5 data or a folder of photos to a dataset file (or a dataset to CSV, a checkpoint to .npz).",
        discussion: """
            The input format comes from the name (.csv, .tsv, .npy, .npz, -ubyte or .idx3 with an optional .gz, \
            .h5/.hdf5; a folder is a folder of JPEG/PNG images); --from overrides it. The output is a dataset file (formats/dataset.md): x with the \
            examples first, in the input's own type (uint8 images stay uint8, CSV numbers are float64), y as \
            int64 class ids, and classes when the labels were strings (numbered in sorted order). Datasets are \
            stored with shuffle + gzip 4 unless --compression says otherwise. Rows are streamed, so memory stays \
            bounded whatever the input size.

            Examples:

              $ lnet convert iris.csv iris.h5 --label species
              wrote iris.h5: 150 examples, x float64 (150, 4), y int64, 3 classes (setosa, versicolor, virginica)

              $ lnet convert train-images-idx3-ubyte.gz mnist.h5 --labels train-labels-idx1-ubyte.gz \\
                  --split 0.9 --seed 1
              wrote mnist-train.h5: 54000 examples, x uint8 (54000, 28, 28), y int64
              wrote mnist-test.h5: 6000 examples, x uint8 (6000, 28, 28), y int64

              $ lnet convert train_catvnoncat.h5 cat.h5 --compression 9     # train_set_x → x, list_classes → classes
              $ lnet convert photos/ pets.h5 --size 64        # photos/cat/*.jpg, photos/dog/*.png: classes cat, dog
              wrote pets.h5: 120 examples, x uint8 (120, 64, 64, 3), y int64, 2 classes (cat, dog)

              $ lnet convert cat.h5 cat.csv                                  # header f0,…,f12287,label
              $ lnet convert model.h5 model.npz                              # checkpoint: W1, b1, …, v_dW1, s_dW1, …

            --split F sends a seeded random F of the examples to OUT-train.h5 and the rest to OUT-test.h5 \
            (selection sampling with SplitMix64(--seed); both files keep the input's row order). \
            An existing output is refused unless --force. Every output is written to a temporary file and \
            renamed when complete, so a failure or Ctrl-C leaves no partial file. A bad input prints one \
            `error:` line naming the file and the problem, and exits with status 1.
            """)

    @Argument(help: "The file (or folder of images) to read.")
    var input: String

    @Argument(help: "The file to write: .h5 (dataset), .csv (dataset as text) or .npz (checkpoint arrays).")
    var output: String

    @Option(help: "The input format (default: from the name).")
    var from: InputFormat?

    @Option(help: "CSV/TSV: the label column, by name or 0-based index (default: the last).")
    var label: String?

    @Option(help: "CSV/TSV: the field delimiter, one character: , ; | or tab (also written \\t) (default: , for .csv, tab for .tsv).")
    var delimiter: String?

    @Flag(help: "CSV/TSV: the first row is data, not column names (the columns are then named 0, 1, …).")
    var noHeader = false

    @Option(parsing: .upToNextOption, help: "CSV/TSV with class ids: the class names, id 0's first, stored as classes.")
    var classes: [String] = []

    @Option(help: "CSV/TSV: store x as uint8 (values must be whole numbers 0…255), as a dataset of images was.")
    var xType: String?

    @Option(help: "NumPy .npz / HDF5: the features' array or dataset (default: x, or the one *_x).")
    var x: String?

    @Option(help: "NumPy .npz / HDF5: the labels' array or dataset (default: y, or the *_y beside *_x).")
    var y: String?

    @Option(help: "IDX: the labels file (…labels-idx1-ubyte[.gz]); .npy: a second .npy of labels; a folder of images: a CSV with file and label columns.")
    var labels: String?

    @Option(parsing: .unconditional, help: "A folder of images: resize each to SIZE × SIZE pixels, as Pillow's resize((SIZE, SIZE)) does.")
    var size: Int?

    @Flag(help: "A folder of images: turn each image upright by its EXIF orientation (ImageOps.exif_transpose); by default it is ignored, as Image.open ignores it.")
    var exifTranspose = false

    @Flag(help: "A folder of images: leave out the images that cannot be read, and list them, instead of stopping at the first.")
    var skipBad = false

    @Option(parsing: .unconditional, help: "gzip level 0–9 (0: uncompressed; 1–9 add the shuffle filter).")
    var compression: Int = 4

    @Option(parsing: .unconditional, help: "Examples per HDF5 chunk (default: about 1 MiB of features).")
    var chunkRows: Int?

    @Option(parsing: .unconditional, help: "Write OUT-train.h5 with this fraction of the examples and OUT-test.h5 with the rest.")
    var split: Double?

    @Option(parsing: .unconditional, help: "The seed of --split's random choice.")
    var seed: UInt64 = 0

    @Flag(help: "Overwrite existing outputs.")
    var force = false

    @Flag(help: "Print no progress and no summary.")
    var quiet = false

    @Option(parsing: .unconditional, help: "1: read, then compress and write, in turn, on one thread; N (default 2): CSV rows are parsed and photos decoded on up to N threads (at most the CPUs), chunks compressed on two, and written while the next are read. The output does not depend on N.")
    var threads: Int?

    var options: ConversionOptions {
        get throws {
            ConversionOptions(
                from: from, labelColumn: label, delimiter: try delimiter.map(Self.parseDelimiter), hasHeader: !noHeader,
                classNames: classes.isEmpty ? nil : classes, storedFeatureType: try xType.map(Self.parseFeatureType), x: x, y: y, labels: labels, compressionLevel: compression,
                chunkRows: chunkRows, split: split, seed: seed, force: force, threads: threads ?? 2, imageSize: size,
                exifTranspose: exifTranspose, skipBadImages: skipBad)
        }
    }

    func validate() throws {
        if let threads { try require(threads >= 1, "--threads", "1 or more", got: threads) }
        let converter = DatasetConverter(options: try options)
        do {
            try converter.checkOptions(input: input, output: output)
        } catch let error as ConversionError {
            throw ValidationError(Phrasing.message(for: error))
        }
    }

    func run() throws {
        if HDF5File.hasSignature(input) { try Isolation.probe([input]) }
        try reportingErrors {
            let converter = DatasetConverter(options: try options)
            let printer = ProgressPrinter(enabled: !quiet)
            var withProgress = converter
            withProgress.progress = { printer.update($0) }
            TemporaryCleanup.install(for: converter.outputPaths(for: output))
            // A fault inside libjpeg-turbo or libpng on a crafted photo names the photo and leaves no temporary.
            ImageDecoder.installCrashGuard(removing: converter.outputPaths(for: output).map(AtomicFile.temporaryPath(for:)))
            let summary: ConversionSummary
            do {
                summary = try withProgress.convert(input: input, output: output)
            } catch {
                printer.clear()
                throw error
            }
            printer.clear()
            if !quiet { print(Self.describe(summary), terminator: "") }
            for note in summary.notes { FileHandle.standardError.write(Data((Self.describe(note) + "\n").utf8)) }
        }
    }

    /// `--delimiter`'s value: one ASCII character, with `tab` and `\t` for a tab.
    static func parseDelimiter(_ text: String) throws -> CSVDelimiter {
        switch text {
        case "tab", "\\t", "\t": return .tab
        case ",": return .comma
        case ";": return .semicolon
        default:
            guard text.utf8.count == 1, let byte = text.utf8.first, byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\"") else {
                throw ValidationError("--delimiter must be one printable ASCII character other than a quote, or tab, not '\(text)'")
            }
            return .byte(byte)
        }
    }

    /// `--x-type`'s value.
    static func parseFeatureType(_ text: String) throws -> FeatureElementType {
        guard text == "uint8" else { throw ValidationError("--x-type can only be uint8, not '\(text)'") }
        return .uint8
    }

    /// A word as the shell takes it back: quoted when it holds anything but letters, digits and `-_.,/`.
    static func shellWord(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.,/".unicodeScalars.contains($0) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The `note:` lines for what the conversion did that the user may not expect.
    static func describe(_ note: ConversionNote) -> String {
        switch note {
        case .headerLooksNumeric(let file, let fields):
            let shown = fields.prefix(6).joined(separator: ",") + (fields.count > 6 ? ",…" : "")
            return "note: \(file): the header row (\(shown)) is all numbers; if it is a first example, convert with --no-header"
        case .classNamesNotWritten(let file, let classes):
            let list = classes.map(shellWord).joined(separator: " ")
            return "note: \(file): the label column holds class ids, not the class names; "
                + "converting it back to .h5, give them with --classes \(list)"
        case .elementTypeNotKept(let file, let type):
            return "note: \(file): x was \(type.rawValue), which training divides by 255; the CSV reads back as float64: "
                + "converting it back to .h5, keep the type with --x-type \(type.rawValue)"
        case .imagesSkipped(let file, let problems):
            return "note: \(file): skipped \(problems.count) \(problems.count == 1 ? "file" : "files") that could not be read:\n"
                + problems.map { "  \($0.description)" }.joined(separator: "\n")
        }
    }

    /// One line per output file.
    static func describe(_ summary: ConversionSummary) -> String {
        guard let type = summary.featureType else {
            let path = summary.outputs.first ?? ""
            return "wrote \(path): \(summary.arrays.count) arrays (\(summary.arrays.joined(separator: ", ")))\n"
        }
        var text = ""
        for (path, rows) in zip(summary.outputs, summary.rowsPerOutput) {
            let shape = "(" + ([rows] + summary.featureShape).map(String.init).joined(separator: ", ") + ")"
            text += "wrote \(path): \(rows) examples, x \(type.rawValue) \(shape)"
            if summary.hasLabels { text += ", y int64" }
            if let classes = summary.classes {
                let names = classes.count <= 10 ? " (" + classes.joined(separator: ", ") + ")" : ""
                text += ", \(classes.count) classes\(names)"
            }
            text += String(format: " in %.2f s\n", summary.seconds)
        }
        return text
    }
}

/// The progress line (`ProgressLine`, as train and resume draw theirs): on a
/// terminal, one line rewritten in place ten times a second; on a pipe or
/// file, a plain line every five seconds (a log should not fill with
/// carriage returns).
final class ProgressPrinter {
    private let line: ProgressLine

    init(enabled: Bool) {
        line = ProgressLine(enabled: enabled, plainInterval: 5)
    }

    func update(_ progress: ConversionProgress) {
        let now = ProgressLine.now()
        guard line.isDue(at: now) else { return }
        let seconds = max(progress.elapsed, 1e-9)
        var text = "converted \(progress.rowsDone)"
        var left: Double?
        if let total = progress.rowCount, total > 0 {
            text += " / \(total) rows (\(progress.rowsDone * 100 / total)%)"
            if progress.rowsDone > 0 { left = Double(total - progress.rowsDone) * seconds / Double(progress.rowsDone) }
        } else {
            text += " rows"
        }
        text += String(
            format: ", %.0f rows/s, %.1f MB/s", Double(progress.rowsDone) / seconds,
            Double(progress.bytesDone) / 1e6 / seconds)
        if let left { text += ", " + ProgressMeter.formatDuration(left) + " left" }
        line.draw(text, at: now)
    }

    /// Erases the live line before the summary or an error is printed.
    func clear() {
        line.clear()
    }
}

/// On Ctrl-C or SIGTERM, removes the temporary files the conversion is
/// writing (`OUT.h5.tmp-<pid>`, `AtomicFile`'s naming) and exits 130/143, so
/// an interrupted conversion leaves nothing behind; the outputs themselves are
/// only ever renamed into place complete.
enum TemporaryCleanup {
    // Written once before the handlers are installed, then only read by them.
    nonisolated(unsafe) private static var paths: [UnsafeMutablePointer<CChar>] = []

    static func install(for outputs: [String]) {
        paths = outputs.compactMap { strdup(AtomicFile.temporaryPath(for: $0)) }
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                // unlink and _exit are async-signal-safe.
                for path in TemporaryCleanup.paths { unlink(path) }
                _exit(128 + number)
            }
        }
    }
}
