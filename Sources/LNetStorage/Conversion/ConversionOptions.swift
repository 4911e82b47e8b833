import Foundation

/// The file formats `lnet convert` reads.
public enum InputFormat: String, Sendable, CaseIterable, Equatable {
    /// Comma-separated text with a header row, tab-separated text, a NumPy `.npy` array, a `.npz` archive, MNIST IDX
    /// files, and an HDF5 dataset file.
    case csv, tsv, npy, npz, idx, hdf5
    /// A folder of JPEG and PNG images, one subfolder per class (or a labels CSV): `ImageFolderSource`.
    case images

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
    /// Image folders: each image is resized to `imageSize × imageSize`; required for them, refused for other inputs.
    public var imageSize: Int?
    /// Image folders: apply EXIF orientation (`ImageOps.exif_transpose`); off, as `Image.open` ignores it.
    public var exifTranspose: Bool
    /// Image folders: leave out the images that cannot be read and list them, instead of stopping at the first.
    public var skipBadImages: Bool

    /// Options with the command's defaults: format from the name, last
    /// column as label, gzip 4 with shuffle, one output file.
    public init(
        from: InputFormat? = nil, labelColumn: String? = nil, delimiter: CSVDelimiter? = nil, hasHeader: Bool = true,
        classNames: [String]? = nil, storedFeatureType: FeatureElementType? = nil, x: String? = nil, y: String? = nil,
        labels: String? = nil, compressionLevel: Int = 4, chunkRows: Int? = nil, split: Double? = nil,
        seed: UInt64 = 0, force: Bool = false, threads: Int = 2, imageSize: Int? = nil, exifTranspose: Bool = false,
        skipBadImages: Bool = false
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
        self.imageSize = imageSize
        self.exifTranspose = exifTranspose
        self.skipBadImages = skipBadImages
    }
}

/// A conversion that cannot be done as asked: an existing output, a format
/// that cannot be detected, a split with too few examples… Input-file
/// problems are `ImportError`s, `DatasetError`s or `HDF5Error`s instead.
public struct ConversionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file concerned, as the user named it.
    public var file: String
    /// The whole message, naming the file, in the library's words (no option names).
    public var description: String
    /// What is wrong, as data, for the CLI to word with its options; nil when
    /// `description` says it all.
    public var refusal: ConversionRefusal?

    /// "`file`: `problem`".
    public init(file: String, problem: String) {
        self.file = file
        description = "\(file): \(problem)"
    }

    /// The error for `refusal` about `file`.
    public init(file: String, _ refusal: ConversionRefusal) {
        self.file = file
        self.refusal = refusal
        switch refusal {
        case .outputExists: description = "\(file) exists"
        case .inputFormatUnknown: description = "\(file): cannot tell the format from the name: use .csv, .tsv, .npy, .npz, -ubyte[.gz], .h5, or name the input format"
        case .setting(let setting, let rule): description = "\(file): \(setting.words) \(rule.words)"
        }
    }

    /// An output that is already there and `force` was not given.
    public static func outputExists(_ file: String) -> ConversionError {
        ConversionError(file: file, .outputExists)
    }
}

/// A conversion refused for what was asked rather than for what a file holds, as data:
/// the CLI words it with its option names.
public enum ConversionRefusal: Sendable, Equatable {
    /// The output exists and overwriting it was not asked for.
    case outputExists
    /// The input format was not given and the name does not tell it.
    case inputFormatUnknown
    /// A setting that does not fit the formats, or a value out of its range.
    case setting(ConversionSetting, ConversionRule)
}

/// The settings of ``ConversionOptions`` a refusal can be about.
public enum ConversionSetting: Sendable, Equatable {
    case labelColumn, delimiter, noHeader, classNames, storedFeatureType, labels, x, y, split, compressionLevel, chunkRows
    case imageSize, exifTranspose, skipBadImages

    /// The setting in the library's words.
    public var words: String {
        switch self {
        case .labelColumn: "the label column"
        case .delimiter: "the delimiter"
        case .noHeader: "reading without a header"
        case .classNames: "the class names"
        case .storedFeatureType: "the stored feature type"
        case .labels: "the labels file"
        case .x: "the features' name"
        case .y: "the labels' name"
        case .split: "the split"
        case .compressionLevel: "the compression level"
        case .chunkRows: "the chunk rows"
        case .imageSize: "the image size"
        case .exifTranspose: "applying EXIF orientation"
        case .skipBadImages: "skipping bad images"
        }
    }
}

/// Why a ``ConversionSetting`` is refused.
public enum ConversionRule: Sendable, Equatable {
    /// It applies to CSV/TSV input only.
    case textInputOnly
    /// It applies to IDX and .npy input only.
    case arrayInputOnly
    /// It applies to .npz and HDF5 input only.
    case namedInputOnly
    /// It writes .h5 files only.
    case hdf5OutputOnly
    /// The stored feature type can only be uint8.
    case uint8Only
    /// A class name is empty, or none is given.
    case emptyName
    /// A class is named twice.
    case repeatedName
    /// The compression level lies outside 0–9.
    case compressionOutOfRange(Int)
    /// Chunk rows below 1.
    case chunkRowsTooFew
    /// A split fraction outside (0, 1).
    case splitOutOfRange(Double)
    /// It applies to a folder of images only.
    case imageInputOnly
    /// A folder of images needs it.
    case requiredForImages
    /// An image size outside 1…`ImageFolderOptions.maximumSize`.
    case imageSizeOutOfRange(Int)

    /// The rule in words, after the setting's name.
    public var words: String {
        switch self {
        case .textInputOnly: "applies to CSV/TSV input only"
        case .arrayInputOnly: "applies to IDX and .npy input only"
        case .namedInputOnly: "applies to .npz and HDF5 input only"
        case .hdf5OutputOnly: "writes .h5 files only"
        case .uint8Only: "can only be uint8 (CSV features are float64 otherwise)"
        case .emptyName: "needs non-empty names"
        case .repeatedName: "names a class twice"
        case .compressionOutOfRange(let level): "must be 0–9, not \(level)"
        case .chunkRowsTooFew: "must be 1 or more"
        case .splitOutOfRange(let split): "must be between 0 and 1 (the train fraction), not \(split)"
        case .imageInputOnly: "applies to a folder of images only"
        case .requiredForImages: "is needed for a folder of images (the side, in pixels, every image is resized to)"
        case .imageSizeOutOfRange(let size): "must be 1–\(ImageFolderOptions.maximumSize), not \(size)"
        }
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
    /// Images (or unreadable subfolders) of the folder `file` left out, each with its error.
    case imagesSkipped(file: String, problems: [ImportError])
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
