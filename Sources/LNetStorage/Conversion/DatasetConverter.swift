import Foundation

/// What a conversion wrote.
public struct ConversionSummary: Sendable, Equatable {
    /// The files written, in order (`OUT-train.h5`, `OUT-test.h5` for a split).
    public var outputs: [String]
    /// Examples written to each output, in the order of `outputs` (for a
    /// checkpoint export, the number of arrays).
    public var rowsPerOutput: [Int]
    /// The shape of one example (empty for a checkpoint export).
    public var featureShape: [Int]
    /// The features' element type, nil for a checkpoint export.
    public var featureType: FeatureElementType?
    /// Whether labels were written.
    public var hasLabels: Bool
    /// The class names written to `classes`, if any.
    public var classes: [String]?
    /// The `.npz` keys of a checkpoint export.
    public var arrays: [String]
    /// Wall-clock seconds.
    public var seconds: Double
    /// What the user may not expect (a numeric-looking CSV header, what a CSV export drops).
    public var notes: [ConversionNote] = []

    /// Examples written in all.
    public var rows: Int { rowsPerOutput.reduce(0, +) }
}

/// `lnet convert`: reads CSV/TSV, NumPy `.npy`/`.npz`, MNIST IDX or HDF5 and
/// writes a dataset file (formats/dataset.md), optionally split into train
/// and test files; or exports a dataset to CSV, or a checkpoint to `.npz`.
///
/// Memory stays bounded whatever the input size: rows are read in chunks of
/// about 8 MiB of features and appended as they come; parsing runs on the
/// calling thread while a second thread compresses and writes the previous
/// chunk (at most two chunks wait between them). Every output is written to a
/// temporary file and renamed into place only when complete (`AtomicFile`),
/// so a failure or an interruption never leaves a half-written output.
///
/// ```swift
/// let converter = DatasetConverter(options: ConversionOptions(split: 0.8, seed: 1))
/// let summary = try converter.convert(input: "mnist.csv", output: "mnist.h5")
/// // summary.outputs == ["mnist-train.h5", "mnist-test.h5"]
/// ```
public struct DatasetConverter {
    /// How to read and write.
    public var options: ConversionOptions
    /// Called on the calling thread after each chunk is read (often, up to a
    /// few hundred times a second; throttle what you print).
    public var progress: ((ConversionProgress) -> Void)?

    /// Feature bytes per chunk read from the source (rounded to whole HDF5 chunks).
    static let batchBytes = 8 << 20
    /// Feature bytes per HDF5 chunk when `chunkRows` is not given: h5py's
    /// order of magnitude, and within HDF5's default 1 MiB chunk cache.
    static let hdf5ChunkBytes = 1 << 20

    /// Makes a converter; `progress`, when given, is called after every chunk read.
    public init(options: ConversionOptions = ConversionOptions(), progress: ((ConversionProgress) -> Void)? = nil) {
        self.options = options
        self.progress = progress
    }

    /// The two files of a split: `OUT.h5` → `OUT-train.h5`, `OUT-test.h5`.
    public static func splitOutputs(for output: String) -> (train: String, test: String) {
        let ns = output as NSString
        let ext = ns.pathExtension
        let stem = ext.isEmpty ? output : ns.deletingPathExtension
        let suffix = ext.isEmpty ? "" : "." + ext
        return (stem + "-train" + suffix, stem + "-test" + suffix)
    }

    /// The files `convert(input:output:)` writes for `output`.
    public func outputPaths(for output: String) -> [String] {
        if options.split != nil {
            let paths = Self.splitOutputs(for: output)
            return [paths.train, paths.test]
        }
        return [output]
    }

    /// The input format: `options.from`, else from the file name.
    public func inputFormat(of input: String) throws -> InputFormat {
        if let format = options.from { return format }
        if ImageFolderSource.isDirectory(input) { return .images }
        guard let format = InputFormat.detect(path: input) else {
            throw ConversionError(file: input, .inputFormatUnknown)
        }
        return format
    }

    /// Checks that the options fit the formats (an option the format ignores
    /// is refused rather than silently dropped). The CLI calls this in
    /// `validate()`, so a misuse is an argument error.
    public func checkOptions(input: String, output: String) throws {
        guard let outputFormat = OutputFormat.detect(path: output) else {
            throw ConversionError(file: output, problem: "cannot tell what to write from the name: use .h5 (dataset), .csv (dataset as text) or .npz (checkpoint arrays)")
        }
        let format = try inputFormat(of: input)
        func refuse(_ setting: ConversionSetting, _ rule: ConversionRule, file: String? = nil) throws {
            throw ConversionError(file: file ?? input, .setting(setting, rule))
        }
        let text = format == .csv || format == .tsv
        if options.labelColumn != nil, !text { try refuse(.labelColumn, .textInputOnly) }
        if options.delimiter != nil, !text { try refuse(.delimiter, .textInputOnly) }
        if !options.hasHeader, !text { try refuse(.noHeader, .textInputOnly) }
        if options.classNames != nil, !text { try refuse(.classNames, .textInputOnly) }
        if let type = options.storedFeatureType {
            if !text { try refuse(.storedFeatureType, .textInputOnly) }
            if type != .uint8 { try refuse(.storedFeatureType, .uint8Only) }
        }
        if let names = options.classNames {
            if names.isEmpty || names.contains(where: \.isEmpty) { try refuse(.classNames, .emptyName) }
            if Set(names).count != names.count { try refuse(.classNames, .repeatedName) }
        }
        if options.labels != nil, format != .idx, format != .npy, format != .images { try refuse(.labels, .arrayInputOnly) }
        if format == .images {
            guard let size = options.imageSize else { try refuse(.imageSize, .requiredForImages); return }
            if !(1...ImageFolderOptions.maximumSize).contains(size) { try refuse(.imageSize, .imageSizeOutOfRange(size)) }
        } else {
            if options.imageSize != nil { try refuse(.imageSize, .imageInputOnly) }
            if options.exifTranspose { try refuse(.exifTranspose, .imageInputOnly) }
            if options.skipBadImages { try refuse(.skipBadImages, .imageInputOnly) }
        }
        if options.x != nil, format != .npz, format != .hdf5 { try refuse(.x, .namedInputOnly) }
        if options.y != nil, format != .npz, format != .hdf5 { try refuse(.y, .namedInputOnly) }
        if options.split != nil, outputFormat != .hdf5 { try refuse(.split, .hdf5OutputOnly) }
        if outputFormat == .npz, format != .hdf5 {
            throw ConversionError(file: input, problem: "an .npz output is written from a checkpoint (.h5) only")
        }
        guard (0...9).contains(options.compressionLevel) else {
            try refuse(.compressionLevel, .compressionOutOfRange(options.compressionLevel), file: output)
            return
        }
        if let rows = options.chunkRows, rows < 1 { try refuse(.chunkRows, .chunkRowsTooFew, file: output) }
        if let split = options.split, !(split > 0 && split < 1) { try refuse(.split, .splitOutOfRange(split), file: output) }
    }

    /// Converts `input` to `output` (see the type's description).
    @discardableResult
    public func convert(input: String, output: String) throws -> ConversionSummary {
        let start = ContinuousClock.now
        try checkOptions(input: input, output: output)
        let format = try inputFormat(of: input)
        let outputFormat = OutputFormat.detect(path: output) ?? .hdf5
        if format == .images {
            guard ImageFolderSource.isDirectory(input) else { throw ConversionError(file: input, problem: "is not a folder (a folder of images was asked for)") }
        } else {
            try checkInput(input)
        }
        if let labels = options.labels { try checkInput(labels) }
        let outputs = outputPaths(for: output)
        // By the file, not the name: a link to the input is the input.
        let inputs = InputFiles([input] + (options.labels.map { [$0] } ?? []))
        for path in outputs {
            try inputs.refuse(output: path)
            try checkOutput(path)
        }

        if format == .hdf5 {
            let isCheckpoint = try CheckpointExport.isCheckpoint(path: input)
            if outputFormat == .npz {
                guard isCheckpoint else {
                    throw ConversionError(file: input, problem: "is not a checkpoint (no format attribute 'lnet-checkpoint', no /parameters group); .npz output is for checkpoints")
                }
                let keys = try CheckpointExport.writeNPZ(checkpointPath: input, to: output)
                return ConversionSummary(
                    outputs: [output], rowsPerOutput: [keys.count], featureShape: [], featureType: nil, hasLabels: false,
                    classes: nil, arrays: keys, seconds: Self.seconds(since: start))
            }
            if isCheckpoint {
                throw ConversionError(file: input, problem: "is a checkpoint, not a dataset: convert it to .npz to get its arrays")
            }
        }

        var source = try openSource(input, format: format)
        let numericHeader = (source as? CSVReader).flatMap { $0.headerLooksNumeric ? $0.header : nil }
        if options.classNames != nil || options.storedFeatureType == .uint8 {
            source = try RestoredSource(source, path: input, classNames: options.classNames, uint8: options.storedFeatureType == .uint8)
        }
        guard let total = source.rowCount else {
            throw ConversionError(file: input, problem: "the reader cannot tell the number of rows")
        }
        guard total > 0 else { throw ConversionError(file: input, problem: "has no examples (no data rows)") }
        guard source.rowLength > 0 else {
            throw ConversionError(file: input, problem: "has no features (example shape \(source.featureShape))")
        }
        let rowBytes = source.rowLength * source.featureType.byteCount
        let chunkRows = options.chunkRows ?? max(1, Self.hdf5ChunkBytes / rowBytes)
        let batchRows = chunkRows * max(1, Self.batchBytes / max(1, chunkRows * rowBytes))
        let inputBytes = Self.fileSize(input)

        var rowsRead = 0
        let reportProgress = progress
        let produce: () throws -> RowChunk? = {
            guard let chunk = try source.nextChunk(maxRows: batchRows) else { return nil }
            rowsRead += chunk.rowCount
            if let reportProgress {
                let fraction = Double(rowsRead) / Double(total)
                reportProgress(ConversionProgress(
                    rowsDone: rowsRead, rowCount: total, bytesDone: Int(Double(inputBytes) * fraction),
                    elapsed: Self.seconds(since: start)))
            }
            return chunk
        }

        var summary: ConversionSummary
        switch outputFormat {
        case .csv:
            let rows = try CSVExport.write(
                rowLength: source.rowLength, featureType: source.featureType, to: output, produce: produce)
            summary = ConversionSummary(
                outputs: [output], rowsPerOutput: [rows.rows], featureShape: source.featureShape,
                featureType: source.featureType, hasLabels: rows.hasLabels, classes: nil, arrays: [],
                seconds: 0)
            if let classes = source.classNames, rows.hasLabels {
                summary.notes.append(.classNamesNotWritten(file: output, classes: classes))
            }
            // Only uint8 changes meaning when read back as float64: it is the type divided by 255.
            if source.featureType == .uint8 {
                summary.notes.append(.elementTypeNotKept(file: output, type: source.featureType))
            }
        case .hdf5, .npz:
            var split: DatasetSplit?
            if let fraction = options.split {
                guard let plan = DatasetSplit(total: total, fraction: fraction, seed: options.seed) else {
                    throw ConversionError(file: input, problem: "has \(total) examples: too few to split \(fraction) / \(1 - fraction) with at least one on each side")
                }
                split = plan
            }
            let job = WriteJob(
                outputs: outputs, featureShape: source.featureShape, classes: source.classNames,
                featureAttributes: source.featureAttributes, chunkRows: chunkRows,
                compressionLevel: options.compressionLevel, split: split, concurrent: options.threads > 1, produce: produce)
            let written = try source.featureType.accept(job)
            summary = ConversionSummary(
                outputs: outputs, rowsPerOutput: written.rows, featureShape: source.featureShape,
                featureType: source.featureType, hasLabels: written.hasLabels, classes: source.classNames, arrays: [],
                seconds: 0)
        }
        if let images = source as? ImageFolderSource, !images.skipped.isEmpty {
            summary.notes.append(.imagesSkipped(file: input, problems: images.skipped))
        }
        if let numericHeader {
            summary.notes.insert(.headerLooksNumeric(file: input, fields: numericHeader), at: 0)
        }
        summary.seconds = Self.seconds(since: start)
        return summary
    }

    /// The threads a reader may parse or decode on: `--threads`, at most the CPUs.
    private var readerThreads: Int { max(1, min(options.threads, ProcessInfo.processInfo.activeProcessorCount)) }

    /// Opens the reader for `input` in `format`.
    public func openSource(_ input: String, format: InputFormat) throws -> any RowSource {
        switch format {
        case .csv, .tsv:
            return try CSVReader(
                path: input, delimiter: options.delimiter ?? (format == .tsv ? .tab : .comma), labelColumn: options.labelColumn,
                hasHeader: options.hasHeader,
                parseThreads: readerThreads)
        case .npy: return try NumpyReader(npy: input, labels: options.labels)
        case .npz: return try NumpyReader(npz: input, x: options.x, y: options.y)
        case .idx: return try IDXReader(images: input, labels: options.labels)
        case .hdf5: return try HDF5RowSource(path: input, x: options.x, y: options.y)
        case .images:
            return try ImageFolderSource(
                folder: input,
                options: ImageFolderOptions(
                    size: options.imageSize ?? 64, decoding: ImageDecodingOptions(appliesEXIFOrientation: options.exifTranspose),
                    labelsFile: options.labels, skipsBadImages: options.skipBadImages,
                    workers: readerThreads))
        }
    }

    private func checkInput(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConversionError(file: path, problem: "no such file")
        }
        if isDirectory.boolValue { throw ConversionError(file: path, problem: "is a directory, not a file") }
    }

    private func checkOutput(_ path: String) throws {
        if !options.force, FileManager.default.fileExists(atPath: path) {
            throw ConversionError.outputExists(path)
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConversionError(file: path, problem: "no such folder \(folder)")
        }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// An error whose message named a temporary file, told with the output's
/// name instead (the user never sees `OUT.h5.tmp-1234`).
struct RenamedError: Error, CustomStringConvertible {
    var description: String

    static func wrap(_ error: any Error, temporaries: [(temporary: String, path: String)]) -> any Error {
        var text = String(describing: error)
        var changed = false
        for (temporary, path) in temporaries where text.contains(temporary) {
            text = text.replacingOccurrences(of: temporary, with: path)
            changed = true
        }
        return changed ? RenamedError(description: text) : error
    }
}

/// Writes the rows of a source to one dataset file, or two for a split, with
/// the element type as a generic parameter.
private struct WriteJob: FeatureElementVisitor {
    let outputs: [String]
    let featureShape: [Int]
    let classes: [String]?
    let featureAttributes: [(name: String, value: AttributeValue)]
    let chunkRows: Int
    let compressionLevel: Int
    let split: DatasetSplit?
    let concurrent: Bool
    let produce: () throws -> RowChunk?

    func visit<T: FeatureElement>(_ type: T.Type) throws -> (rows: [Int], hasLabels: Bool) {
        // The first chunk decides whether there are labels, before any file is made.
        guard let first = try produce() else { return (outputs.map { _ in 0 }, false) }
        let hasLabels = first.labels != nil
        var temporaries: [(temporary: String, path: String)] = []
        var renamed: [String] = []
        do {
            let rows = try Self.replaceAll(outputs[...], temporaries: &temporaries, renamed: &renamed) { paths in
                let writers = try paths.map { path in
                    try StreamingDatasetWriter<T>(
                        path: path, rowShape: featureShape, hasLabels: hasLabels, classes: classes, chunkRows: chunkRows,
                        compressionLevel: compressionLevel, parallel: concurrent, featureAttributes: featureAttributes)
                }
                let state = SinkState(writers: writers, split: split, hasLabels: hasLabels)
                var pendingFirst: RowChunk? = first
                do {
                    try ChunkPipeline(concurrent: concurrent).run(
                        produce: {
                            if let chunk = pendingFirst {
                                pendingFirst = nil
                                return chunk
                            }
                            return try produce()
                        },
                        consume: { chunk in try state.consume(chunk) })
                    for writer in writers { try writer.finish() }
                } catch {
                    for writer in writers { writer.abandon() }
                    throw error
                }
                return writers.map(\.rowsWritten)
            }
            return (rows, hasLabels)
        } catch {
            // A split whose second rename happened but whose first failed
            // must not leave one half of the pair behind.
            for path in renamed { unlink(path) }
            throw RenamedError.wrap(error, temporaries: temporaries)
        }
    }

    /// Nests `AtomicFile.replace` once per output, so that every output is
    /// written to a temporary file and all are renamed only when `body` succeeds.
    private static func replaceAll<R>(
        _ outputs: ArraySlice<String>, temporaries: inout [(temporary: String, path: String)], renamed: inout [String],
        _ body: ([String]) throws -> R
    ) throws -> R {
        var result: R?
        try replaceNested(outputs, collected: [], temporaries: &temporaries, renamed: &renamed) { paths in
            result = try body(paths)
        }
        guard let result else { throw ConversionError(file: outputs.first ?? "", problem: "nothing was written") }
        return result
    }

    private static func replaceNested(
        _ outputs: ArraySlice<String>, collected: [String], temporaries: inout [(temporary: String, path: String)],
        renamed: inout [String], _ body: ([String]) throws -> Void
    ) throws {
        guard let path = outputs.first else {
            try body(collected)
            return
        }
        var innerTemporaries = temporaries
        var innerRenamed = renamed
        defer {
            temporaries = innerTemporaries
            renamed = innerRenamed
        }
        try AtomicFile.replace(path) { temporary in
            innerTemporaries.append((temporary, path))
            try replaceNested(
                outputs.dropFirst(), collected: collected + [temporary], temporaries: &innerTemporaries,
                renamed: &innerRenamed, body)
        }
        innerRenamed.append(path)
    }
}

/// The consumer side's state: the writers and the split, touched only by the
/// pipeline's writer thread while it runs (hence `@unchecked Sendable`).
private final class SinkState<T: FeatureElement>: @unchecked Sendable {
    let writers: [StreamingDatasetWriter<T>]
    var split: DatasetSplit?
    let hasLabels: Bool

    init(writers: [StreamingDatasetWriter<T>], split: DatasetSplit?, hasLabels: Bool) {
        self.writers = writers
        self.split = split
        self.hasLabels = hasLabels
    }

    func consume(_ chunk: RowChunk) throws {
        guard let values = T.values(in: chunk.features), let writer = writers.first else {
            throw ConversionError(file: writers.first?.file.path ?? "", problem: "a chunk of \(chunk.features.elementType) values in a \(T.self) dataset")
        }
        let rowLength = writer.rowLength
        guard values.count == chunk.rowCount * rowLength, (chunk.labels != nil) == hasLabels,
              chunk.labels.map({ $0.count == chunk.rowCount }) ?? true else {
            throw ConversionError(file: writer.file.path, problem: "a chunk of \(chunk.rowCount) rows does not match its values or labels")
        }
        guard chunk.rowCount > 0 else { return }
        guard var plan = split, writers.count == 2 else {
            try writer.append(values[...], labels: chunk.labels?[...])
            return
        }
        defer { split = plan }
        // Runs of consecutive rows bound for the same output are appended
        // with one call each.
        var runStart = 0
        var runIsTrain = plan.nextIsTrain()
        for row in 1...chunk.rowCount {
            let isTrain = row < chunk.rowCount ? plan.nextIsTrain() : !runIsTrain
            if isTrain != runIsTrain {
                let target = writers[runIsTrain ? 0 : 1]
                try target.append(
                    values[(runStart * rowLength)..<(row * rowLength)], labels: chunk.labels?[runStart..<row])
                runStart = row
                runIsTrain = isTrain
            }
        }
    }
}
