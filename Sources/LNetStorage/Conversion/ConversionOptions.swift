import Foundation

/// The file formats `lnet convert` reads.
public enum InputFormat: String, Sendable, CaseIterable, Equatable {
    /// Comma-separated text with a header row, tab-separated text, a NumPy `.npy` array, a `.npz` archive, MNIST IDX
    /// files, and an HDF5 dataset file.
    case csv, tsv, npy, npz, idx, hdf5

    /// The format a file name implies: `.csv`, `.tsv`, `.npy`, `.npz`,
    /// `.h5`/`.hdf5`, and MNIST's IDX (`…-ubyte`, `….idx1`…`….idx4`, or
    /// `…idx3-ubyte`), each optionally followed by `.gz` for IDX. Nil when the
    /// name says nothing (the caller then asks for `--from`).
    public static func detect(path: String) -> InputFormat? {
        var name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        let gzipped = name.hasSuffix(".gz")
        if gzipped { name = String(name.dropLast(3)) }
        if name.hasSuffix("-ubyte") || name.hasSuffix(".ubyte") { return .idx }
        let ext = (name as NSString).pathExtension
        if ext.hasPrefix("idx") { return .idx }
        // Only IDX files are read through gzip; a .csv.gz is not supported.
        if gzipped { return nil }
        switch ext {
        case "csv": return .csv
        case "tsv", "tab": return .tsv
        case "npy": return .npy
        case "npz": return .npz
        case "h5", "hdf5", "he5": return .hdf5
        default: return nil
        }
    }
}

/// What `lnet convert` writes, chosen by the output's extension.
public enum OutputFormat: String, Sendable, Equatable {
    /// A dataset file (formats/dataset.md): `.h5`, `.hdf5`.
    case hdf5
    /// A checkpoint's tensors as a NumPy archive: `.npz`.
    case npz
    /// A dataset as text: `.csv`.
    case csv

    /// The format of `path`, or nil for an extension `convert` cannot write.
    public static func detect(path: String) -> OutputFormat? {
        switch (path.lowercased() as NSString).pathExtension {
        case "h5", "hdf5": return .hdf5
        case "npz": return .npz
        case "csv": return .csv
        default: return nil
        }
    }
}

/// Everything `DatasetConverter` needs to know besides the two paths.
public struct ConversionOptions: Sendable, Equatable {
    /// The input format; nil detects it from the input's name.
    public var from: InputFormat?
    /// CSV/TSV: the label column, by header name or 0-based index; nil for the last.
    public var labelColumn: String?
    /// CSV/TSV: the field delimiter; nil takes a comma for CSV, a tab for TSV.
    public var delimiter: CSVDelimiter?
    /// CSV/TSV: whether the first row names the columns (pandas' default) or is data.
    public var hasHeader: Bool
    /// CSV/TSV with class ids: the class names to store in `classes` (id i is
    /// `classNames[i]`), as a CSV export of a dataset with names lost them.
    public var classNames: [String]?
    /// CSV/TSV: store the features as `uint8` (every value must be a whole
    /// number 0…255), as a CSV export of `uint8` images lost the type; nil keeps float64.
    public var storedFeatureType: FeatureElementType?
    /// NumPy/HDF5 input: the features' array or dataset name; nil resolves as
    /// formats/dataset.md says (`x`, else the one `*_x`).
    public var x: String?
    /// NumPy/HDF5 input: the labels' array or dataset name (for `.npy`, a path
    /// to a second `.npy` file holding the labels).
    public var y: String?
    /// IDX input: the labels file (`…labels-idx1-ubyte[.gz]`).
    public var labels: String?
    /// gzip level 0–9 of the written datasets; 0 stores them uncompressed and
    /// unshuffled, 1–9 adds the shuffle filter before deflate, as h5py users do.
    public var compressionLevel: Int
    /// Rows per HDF5 chunk; nil picks about 1 MiB of features per chunk.
    public var chunkRows: Int?
    /// The fraction of examples for `OUT-train.h5` (the rest go to
    /// `OUT-test.h5`); nil writes one file.
    public var split: Double?
    /// The seed of the split's shuffle.
    public var seed: UInt64
    /// Whether an existing output may be replaced.
    public var force: Bool
    /// 1 reads, then compresses and writes, in turn on the calling thread;
    /// 2 or more overlap the two (reading on the calling thread, compression
    /// and writing on a second one). A conversion never uses more than two.
    public var threads: Int

    /// Options with the command's defaults: format from the name, last
    /// column as label, gzip 4 with shuffle, one output file.
    public init(
        from: InputFormat? = nil, labelColumn: String? = nil, delimiter: CSVDelimiter? = nil, hasHeader: Bool = true,
        classNames: [String]? = nil, storedFeatureType: FeatureElementType? = nil, x: String? = nil, y: String? = nil,
        labels: String? = nil, compressionLevel: Int = 4, chunkRows: Int? = nil, split: Double? = nil,
        seed: UInt64 = 0, force: Bool = false, threads: Int = 2
    ) {
        self.from = from
        self.labelColumn = labelColumn
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.classNames = classNames
        self.storedFeatureType = storedFeatureType
        self.x = x
        self.y = y
        self.labels = labels
        self.compressionLevel = compressionLevel
        self.chunkRows = chunkRows
        self.split = split
        self.seed = seed
        self.force = force
        self.threads = threads
    }
}

/// A conversion that cannot be done as asked: an existing output, a format
/// that cannot be detected, a split with too few examples… Input-file
/// problems are `ImportError`s, `DatasetError`s or `HDF5Error`s instead.
public struct ConversionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file concerned, as the user named it.
    public var file: String
    /// The whole message, naming the file.
    public var description: String

    /// "`file`: `problem`".
    public init(file: String, problem: String) {
        self.file = file
        description = "\(file): \(problem)"
    }

    private init(file: String, message: String) {
        self.file = file
        description = message
    }

    /// An output that is already there and `force` was not given.
    public static func outputExists(_ file: String) -> ConversionError {
        ConversionError(file: file, message: "\(file) exists: pass --force to overwrite")
    }
}

/// Something a conversion did that the user may not expect, for the CLI to
/// tell in its own words (it knows the options that change it).
public enum ConversionNote: Sendable, Equatable {
    /// Every field of the CSV header row of `file` is a number (`fields`):
    /// maybe a first example was taken for the header.
    case headerLooksNumeric(file: String, fields: [String])
    /// A CSV export wrote class ids, not the class names the source held.
    case classNamesNotWritten(file: String, classes: [String])
    /// A CSV export wrote `uint8` features as text, which reads back as
    /// float64: a retrain would no longer divide the pixels by 255.
    case elementTypeNotKept(file: String, type: FeatureElementType)
}

/// How far a conversion has got, for a progress line.
public struct ConversionProgress: Sendable, Equatable {
    /// Rows written so far (to every output).
    public var rowsDone: Int
    /// All rows, when the source knows its size.
    public var rowCount: Int?
    /// Input bytes consumed so far, estimated as the file size times the
    /// fraction of rows done (the readers do not expose their offset).
    public var bytesDone: Int
    /// Seconds since the conversion started.
    public var elapsed: Double

    /// Makes a progress report from its four fields.
    public init(rowsDone: Int, rowCount: Int?, bytesDone: Int, elapsed: Double) {
        self.rowsDone = rowsDone
        self.rowCount = rowCount
        self.bytesDone = bytesDone
        self.elapsed = elapsed
    }
}
