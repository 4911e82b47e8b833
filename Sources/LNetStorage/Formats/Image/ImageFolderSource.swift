import Foundation

/// How a folder of images becomes examples.
public struct ImageFolderOptions: Sendable, Equatable {
    /// Each image is resized to `size × size` (Pillow's `resize((size, size))`).
    public var size: Int
    /// Limits and EXIF orientation.
    public var decoding: ImageDecodingOptions
    /// A CSV file with `file` and `label` columns, files relative to the folder;
    /// nil takes one subfolder per class.
    public var labelsFile: String?
    /// Leaves out the images that cannot be read (listed in `skipped`) instead of stopping at the first.
    public var skipsBadImages: Bool
    /// Threads that decode and resize at the same time.
    public var workers: Int

    /// `size` pixels a side, Pillow's limits, one subfolder per class, stop at the first bad image, one worker per core.
    public init(
        size: Int, decoding: ImageDecodingOptions = ImageDecodingOptions(), labelsFile: String? = nil,
        skipsBadImages: Bool = false, workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.size = size
        self.decoding = decoding
        self.labelsFile = labelsFile
        self.skipsBadImages = skipsBadImages
        self.workers = workers
    }

    /// The largest `size` accepted: a 4096 × 4096 RGB example is 48 MiB.
    public static let maximumSize = 4096
}

/// One image of the folder and its class id.
public struct ImageFolderItem: Sendable, Equatable {
    /// The path, the folder's path as given joined with the file's place in it.
    public var path: String
    /// The class id.
    public var label: Int64
}

/// A folder of JPEG and PNG photos read as a dataset, the way the course
/// prepares a photo: `np.array(Image.open(path).convert("RGB").resize((size, size)))`.
///
/// Labels come from one subfolder per class (class names sorted by code point,
/// as Python's `sorted(os.listdir(...))`, become ids 0…C−1) or from a CSV of
/// `file,label` rows. Files whose names start with `.` are ignored. Features
/// are `uint8` of shape `(size, size, 3)`.
///
/// Streaming: a chunk of rows is decoded and resized by `workers` threads, each
/// with its own decoder, into the chunk's buffer in file order, so memory is a
/// chunk plus one decoded photo per worker. The first image that cannot be read
/// stops the conversion (`ImportError` naming it), unless `skipsBadImages`: it
/// is then left out and listed in `skipped`; `rowCount` counts the listed
/// files, so it is an upper bound when images are skipped.
public final class ImageFolderSource: RowSource {
    /// The folder, as given.
    public let folder: String
    /// Every image, in the order rows are written.
    public let items: [ImageFolderItem]
    public let classNames: [String]?
    public let options: ImageFolderOptions
    /// What could not be read (a file, or an unreadable subfolder), in order, when `skipsBadImages`.
    public private(set) var skipped: [ImportError] = []

    public var featureShape: [Int] { [options.size, options.size, 3] }
    public var featureType: FeatureElementType { .uint8 }
    public var rowCount: Int? { items.count }

    /// How a new photo is prepared like these (formats/dataset.md, "Images").
    public var featureAttributes: [(name: String, value: AttributeValue)] {
        ImageFolderSource.preprocessingAttributes(size: options.size, exifTranspose: options.decoding.appliesEXIFOrientation)
    }

    /// The attributes on `x` of a dataset made from images: `image_size` (height, width),
    /// `image_channels` ("RGB"), `image_resize` ("pillow-bicubic"), `image_exif_transpose`,
    /// and `image_preprocessing`, the same in Python.
    public static func preprocessingAttributes(size: Int, exifTranspose: Bool) -> [(name: String, value: AttributeValue)] {
        let open = exifTranspose ? "ImageOps.exif_transpose(Image.open(path))" : "Image.open(path)"
        return [
            ("image_size", .int64Array([Int64(size), Int64(size)])),
            ("image_channels", .string("RGB")),
            ("image_resize", .string("pillow-bicubic")),
            ("image_exif_transpose", .bool(exifTranspose)),
            ("image_preprocessing", .string("np.asarray(\(open).convert(\"RGB\").resize((\(size), \(size))), dtype=np.uint8)")),
        ]
    }

    private var nextItem = 0
    private var rowsDelivered = 0
    private let decoders: [ImageDecoder]

    /// Lists `folder` (and reads `options.labelsFile`); no image is decoded yet.
    public init(folder: String, options: ImageFolderOptions) throws {
        guard options.size >= 1, options.size <= ImageFolderOptions.maximumSize else {
            throw ImportError(file: folder, problem: "the image size must be 1 to \(ImageFolderOptions.maximumSize), not \(options.size)")
        }
        self.folder = folder
        self.options = options
        var skipped: [ImportError] = []
        let listing: (items: [ImageFolderItem], classes: [String]?)
        if let labelsFile = options.labelsFile {
            listing = try Self.listFromLabels(labelsFile, folder: folder)
        } else {
            listing = try Self.listByClassFolder(folder, skipsUnreadable: options.skipsBadImages, skipped: &skipped)
        }
        guard !listing.items.isEmpty else {
            throw ImportError(file: options.labelsFile ?? folder, problem: "no images found")
        }
        items = listing.items
        classNames = listing.classes
        self.skipped = skipped
        var decoders: [ImageDecoder] = []
        for _ in 0..<max(1, min(options.workers, 16)) {
            guard let decoder = ImageDecoder(options: options.decoding) else {
                throw ImportError(file: folder, problem: "out of memory making an image decoder")
            }
            decoders.append(decoder)
        }
        self.decoders = decoders
    }

    public func nextChunk(maxRows: Int) throws -> RowChunk? {
        let rowBytes = options.size * options.size * 3
        while nextItem < items.count {
            let batch = items[nextItem..<min(items.count, nextItem + max(1, maxRows))]
            nextItem = batch.endIndex
            var pixels = [UInt8](repeating: 0, count: batch.count * rowBytes)
            let failures = pixels.withUnsafeMutableBufferPointer { buffer in
                decodeInParallel(Array(batch), into: buffer, rowBytes: rowBytes)
            }
            var labels = batch.map(\.label)
            if let first = failures.firstIndex(where: { $0 != nil }), let error = failures[first] {
                guard options.skipsBadImages else { throw error }
                // Close the gaps, keeping the file order.
                var kept = 0
                for (index, failure) in failures.enumerated() {
                    if let failure {
                        skipped.append(failure)
                        continue
                    }
                    if kept != index {
                        pixels.withUnsafeMutableBufferPointer { buffer in
                            guard let base = buffer.baseAddress else { return }
                            (base + kept * rowBytes).update(from: base + index * rowBytes, count: rowBytes)
                        }
                        labels[kept] = labels[index]
                    }
                    kept += 1
                }
                pixels.removeLast((batch.count - kept) * rowBytes)
                labels.removeLast(batch.count - kept)
            }
            guard !labels.isEmpty else { continue }
            rowsDelivered += labels.count
            return RowChunk(rowCount: labels.count, features: .uint8(pixels), labels: labels)
        }
        if rowsDelivered == 0 {
            throw ImportError(file: folder, problem: "no image could be read (\(skipped.count) skipped)")
        }
        return nil
    }

    /// Decodes and resizes `batch` with every decoder at once; returns each item's error, or nil.
    private func decodeInParallel(_ batch: [ImageFolderItem], into buffer: UnsafeMutableBufferPointer<UInt8>, rowBytes: Int) -> [ImportError?] {
        let work = BatchWork(batch: batch, buffer: buffer, rowBytes: rowBytes, size: options.size, decoders: decoders)
        let threads = min(decoders.count, batch.count)
        if threads <= 1 {
            work.run(worker: 0)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { worker in work.run(worker: worker) }
        }
        return work.failures
    }

    // MARK: Listing

    /// One subfolder per class; class names sorted by code point.
    static func listByClassFolder(_ folder: String, skipsUnreadable: Bool, skipped: inout [ImportError]) throws -> (items: [ImageFolderItem], classes: [String]?) {
        let entries = try contents(of: folder)
        var classes: [String] = []
        for name in entries {
            let path = join(folder, name)
            if isDirectory(path) {
                classes.append(name)
            } else {
                throw ImportError(file: path, problem: "is not in a class subfolder: put each image in a subfolder named after its class (or give a labels file)")
            }
        }
        guard !classes.isEmpty else {
            throw ImportError(file: folder, problem: "has no class subfolders: put each image in a subfolder named after its class (or give a labels file)")
        }
        var items: [ImageFolderItem] = []
        for (label, name) in classes.enumerated() {
            let classFolder = join(folder, name)
            let files: [String]
            do {
                files = try contents(of: classFolder)
            } catch let error as ImportError {
                guard skipsUnreadable else { throw error }
                skipped.append(error)
                continue
            }
            for file in files {
                let path = join(classFolder, file)
                if isDirectory(path) {
                    let error = ImportError(file: path, problem: "is a folder inside a class folder; images go directly in their class folder")
                    guard skipsUnreadable else { throw error }
                    skipped.append(error)
                    continue
                }
                items.append(ImageFolderItem(path: path, label: Int64(label)))
            }
        }
        return (items, classes)
    }

    /// A CSV with a header naming `file` and `label` columns; integer labels are class ids, others class names.
    static func listFromLabels(_ csv: String, folder: String) throws -> (items: [ImageFolderItem], classes: [String]?) {
        let file = try InputFile(path: csv)
        var tokenizer = CSVTokenizer(file: file, delimiter: UInt8(ascii: ","))
        defer { tokenizer.deallocate() }
        func field(_ index: Int) throws -> String {
            guard let text = String(validating: tokenizer.bytes(of: index), as: UTF8.self) else {
                throw ImportError(file: csv, line: tokenizer.recordLine, problem: "column \(index + 1) is not valid UTF-8")
            }
            return text
        }
        guard try tokenizer.nextRecord() else { throw ImportError(file: csv, problem: "is empty: expected a header with file and label columns") }
        let header = try (0..<tokenizer.fields.count).map { try field($0).trimmingCharacters(in: .whitespaces) }
        guard let fileColumn = header.firstIndex(of: "file"), let labelColumn = header.firstIndex(of: "label") else {
            throw ImportError(file: csv, line: 1, problem: "the header must name a file and a label column, found \(header.joined(separator: ","))")
        }
        var rows: [(path: String, label: String, line: Int)] = []
        while try tokenizer.nextRecord() {
            guard tokenizer.fields.count == header.count else {
                throw ImportError(file: csv, line: tokenizer.recordLine, problem: "expected \(header.count) fields as in the header, found \(tokenizer.fields.count)")
            }
            let name = try field(fileColumn), label = try field(labelColumn).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !label.isEmpty else {
                throw ImportError(file: csv, line: tokenizer.recordLine, problem: "an empty file name or label")
            }
            rows.append((name.hasPrefix("/") ? name : join(folder, name), label, tokenizer.recordLine))
        }
        let ids = rows.map { Int64($0.label) }
        if ids.allSatisfy({ $0 != nil }) {
            var items: [ImageFolderItem] = []
            for (row, id) in zip(rows, ids) {
                guard let id, id >= 0 else { throw ImportError(file: csv, line: row.line, problem: "the label \(row.label) is negative") }
                items.append(ImageFolderItem(path: row.path, label: id))
            }
            return (items, nil)
        }
        let classes = Set(rows.map(\.label)).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        let idOf = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Int64($0)) })
        return (rows.map { ImageFolderItem(path: $0.path, label: idOf[$0.label] ?? 0) }, classes)
    }

    /// The names in `folder` that do not start with a dot, sorted by code point.
    static func contents(of folder: String) throws -> [String] {
        var names: [String] = []
        guard let directory = opendir(folder) else {
            throw ImportError(file: folder, problem: "cannot list the folder: \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw ImportError(file: folder, problem: "cannot list the folder: \(String(cString: strerror(errno)))") }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        return names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}

/// The shared state of one batch's workers: a claim counter, the output rows,
/// the failures. `@unchecked Sendable`: `lock` guards `next` and `failures`;
/// each worker writes only the rows it claimed and uses only its own decoder.
private final class BatchWork: @unchecked Sendable {
    let batch: [ImageFolderItem]
    let buffer: UnsafeMutableBufferPointer<UInt8>
    let rowBytes: Int
    let size: Int
    let decoders: [ImageDecoder]
    private let lock = NSLock()
    private var next = 0
    private(set) var failures: [ImportError?]

    init(batch: [ImageFolderItem], buffer: UnsafeMutableBufferPointer<UInt8>, rowBytes: Int, size: Int, decoders: [ImageDecoder]) {
        self.batch = batch
        self.buffer = buffer
        self.rowBytes = rowBytes
        self.size = size
        self.decoders = decoders
        failures = Array(repeating: nil, count: batch.count)
    }

    private func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < batch.count else { return nil }
        next += 1
        return next - 1
    }

    func run(worker: Int) {
        let decoder = decoders[worker]
        while let index = claim() {
            do {
                let image = try decoder.decode(file: batch[index].path)
                let resized = PillowResize.resize(image, width: size, height: size)
                resized.pixels.withUnsafeBufferPointer { row in
                    guard let source = row.baseAddress, let target = buffer.baseAddress else { return }
                    (target + index * rowBytes).update(from: source, count: rowBytes)
                }
            } catch {
                lock.lock()
                failures[index] = error
                lock.unlock()
            }
        }
    }
}
