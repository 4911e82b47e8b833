import CImageCodecs

/// The image containers LNet decodes, recognised by their first bytes (never by the file's extension).
public enum ImageContainer: String, Sendable, Equatable, CaseIterable {
    case jpeg, png

    /// The container whose signature `bytes` start with, or nil.
    public static func sniff<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> ImageContainer? {
        let head = Array(bytes.prefix(8))
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        return nil
    }
}

/// How images are decoded: the limits that protect memory, and whether EXIF orientation is applied.
public struct ImageDecodingOptions: Sendable, Equatable {
    /// Pillow's `Image.MAX_IMAGE_PIXELS`, `1024 * 1024 * 1024 // 4 // 3`: the size above which
    /// Pillow warns of a decompression bomb. LNet refuses such an image outright.
    public static let pillowMaxImagePixels = 1024 * 1024 * 1024 / 4 / 3

    /// Images of more pixels than this are refused from their header, before pixel memory is allocated.
    public var maxPixels: Int
    /// Files larger than this are refused before they are read (an image file is read whole).
    public var maxFileBytes: Int
    /// Applies the EXIF orientation tag as Pillow's `ImageOps.exif_transpose` does. Off by
    /// default, as the course's `Image.open(path).resize(...)` ignores it.
    public var appliesEXIFOrientation: Bool

    /// Pillow's pixel limit, files up to 512 MiB (an image file is read whole, once per decoding core), orientation ignored.
    public init(maxPixels: Int = ImageDecodingOptions.pillowMaxImagePixels, maxFileBytes: Int = 512 << 20, appliesEXIFOrientation: Bool = false) {
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
        self.appliesEXIFOrientation = appliesEXIFOrientation
    }
}

/// What an image's header says, read before any pixel is decoded.
public struct ImageHeader: Sendable, Equatable {
    public var container: ImageContainer
    public var width: Int
    public var height: Int
    /// Channels as stored: 1 grey, 2 grey and alpha, 3 colour, 4 colour and alpha (PNG) or CMYK (JPEG).
    public var storedChannels: Int
    /// Bits per stored sample.
    public var bitDepth: Int
    /// A palette (indexed-colour) PNG.
    public var isPalette: Bool
    /// A CMYK or YCCK JPEG.
    public var isCMYK: Bool
}

/// Decodes JPEG and PNG files to RGB through Debian's libjpeg-turbo and libpng (the
/// C shim `CImageCodecs` turns their fatal-error callbacks into return codes).
///
/// The result equals Pillow's `Image.open(path).convert("RGB")`: grey is replicated,
/// a palette looked up, alpha dropped without compositing, 16-bit samples cut as
/// Pillow cuts them, CMYK converted with Pillow's formula. A decoder is not shared
/// between threads; make one per worker.
public final class ImageDecoder {
    private let handle: OpaquePointer
    public let options: ImageDecodingOptions

    /// A decoder with `options`; nil only when memory is exhausted.
    public init?(options: ImageDecodingOptions = ImageDecodingOptions()) {
        guard let handle = lnet_image_decoder_create() else { return nil }
        self.handle = handle
        self.options = options
    }

    deinit { lnet_image_decoder_destroy(handle) }

    /// Reads and decodes the file at `path`; errors name `path` and say what is wrong in one line.
    public func decode(file path: String) throws(ImportError) -> RGBImage {
        let bytes = try Self.readWholeFile(path, limit: options.maxFileBytes)
        return try decode(bytes: bytes, name: path)
    }

    /// Decodes an image held in memory; `name` is the file named in errors.
    public func decode(bytes: [UInt8], name: String) throws(ImportError) -> RGBImage {
        try Self.guarded(name: name) { () throws(ImportError) -> RGBImage in try decodeNamed(bytes: bytes, name: name) }
    }

    /// Runs `body` with `name` as the file this thread decodes, so that a fault inside libjpeg-turbo or
    /// libpng is reported as that file's (where `installCrashGuard` was called) instead of a crash report.
    private static func guarded<T>(name: String, _ body: () throws(ImportError) -> T) throws(ImportError) -> T {
        let outcome: Result<T, ImportError> = name.withCString { file in
            lnet_image_crash_guard_name(file)
            defer { lnet_image_crash_guard_name(nil) }
            do throws(ImportError) { return .success(try body()) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// Makes a memory fault inside the decoders print `error: FILE: the image decoder crashed …` for the file
    /// being decoded, remove `temporaries` and exit 1, instead of ending the process with a crash report.
    /// Call once, before decoding; a fault outside decoding keeps its previous handling.
    public static func installCrashGuard(removing temporaries: [String]) {
        for temporary in temporaries { lnet_image_crash_guard_remove_on_fault(temporary) }
        lnet_image_crash_guard_install()
    }

    private func decodeNamed(bytes: [UInt8], name: String) throws(ImportError) -> RGBImage {
        try bytes.withUnsafeBufferPointer { buffer throws(ImportError) -> RGBImage in
            let header = try readHeader(buffer, name: name)
            let (count, overflow) = header.width.multipliedReportingOverflow(by: header.height)
            guard !overflow, count <= options.maxPixels else {
                throw ImportError(file: name, problem: "the image declares \(header.width) × \(header.height) pixels, more than the limit of \(options.maxPixels) (a decompression bomb?)")
            }
            var pixels = [UInt8](repeating: 0, count: count * 3)
            let status = pixels.withUnsafeMutableBufferPointer { out in
                lnet_image_decode_rgb(handle, out.baseAddress, out.count)
            }
            guard status == 0 else { throw failure(name, header.container) }
            var image = RGBImage(width: header.width, height: header.height, pixels: pixels)
            if options.appliesEXIFOrientation, let orientation = exifOrientation() {
                image = orientation.applied(to: image)
            }
            return image
        }
    }

    /// Reads only the header of an image held in memory.
    public func header(bytes: [UInt8], name: String) throws(ImportError) -> ImageHeader {
        try Self.guarded(name: name) { () throws(ImportError) -> ImageHeader in
            try bytes.withUnsafeBufferPointer { buffer throws(ImportError) -> ImageHeader in
                try readHeader(buffer, name: name)
            }
        }
    }

    private func readHeader(_ buffer: UnsafeBufferPointer<UInt8>, name: String) throws(ImportError) -> ImageHeader {
        guard !buffer.isEmpty else { throw ImportError(file: name, problem: "the file is empty") }
        guard let container = ImageContainer.sniff(buffer) else {
            throw ImportError(file: name, problem: "not a JPEG or PNG image")
        }
        var raw = lnet_image_header()
        let format: lnet_image_format = container == .jpeg ? LNET_IMAGE_FORMAT_JPEG : LNET_IMAGE_FORMAT_PNG
        guard lnet_image_read_header(handle, format, buffer.baseAddress, buffer.count, &raw) == 0 else {
            throw failure(name, container)
        }
        let header = ImageHeader(
            container: container, width: Int(raw.width), height: Int(raw.height),
            storedChannels: Int(raw.stored_channels), bitDepth: Int(raw.bit_depth),
            isPalette: raw.is_palette != 0, isCMYK: raw.is_cmyk != 0)
        guard header.width > 0, header.height > 0 else {
            throw ImportError(file: name, problem: "the image declares no pixels (\(header.width) × \(header.height))")
        }
        return header
    }

    private func exifOrientation() -> EXIFOrientation? {
        var size = 0
        guard let bytes = lnet_image_exif(handle, &size), size > 0 else { return nil }
        return EXIFOrientation(tiff: UnsafeBufferPointer(start: bytes, count: size))
    }

    private func failure(_ name: String, _ container: ImageContainer) -> ImportError {
        let message = String(cString: lnet_image_decoder_message(handle))
        let kind = container == .jpeg ? "JPEG" : "PNG"
        return ImportError(file: name, problem: "cannot decode the \(kind) image: \(message.isEmpty ? "unknown error" : message)")
    }

    static func readWholeFile(_ path: String, limit: Int) throws(ImportError) -> [UInt8] {
        do {
            let file = try InputFile(path: path)
            guard file.size <= limit else {
                throw ImportError(file: path, problem: "the file is \(file.size) bytes, more than the limit of \(limit) for an image")
            }
            guard file.size > 0 else { throw ImportError(file: path, problem: "the file is empty") }
            return try file.readExactly(at: 0, count: file.size, what: "the image")
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError(file: path, problem: "\(error)")
        }
    }
}
