#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZip
import Foundation

/// A `.keras` archive as Keras 3 writes it: a ZIP of stored (uncompressed) members `metadata.json`, `config.json` and
/// `model.weights.h5`, written and read through libzip (`ZipArchive` reads).
enum KerasArchive {
    static let configMember = "config.json"
    static let metadataMember = "metadata.json"
    static let weightsMember = "model.weights.h5"
    /// The most bytes `metadata.json` may have (Keras writes about 60).
    static let maximumMetadataBytes = 1 << 20

    // MARK: Writing

    /// Writes a new archive at `path` (a temporary the caller renames) holding `members`, stored, in order.
    static func write(_ members: [(name: String, bytes: [UInt8])], at path: String) throws {
        func failure(_ what: String, _ error: UnsafeMutablePointer<zip_error_t>?) -> KerasError {
            let reason = error.map { String(cString: zip_error_strerror($0)) } ?? "failed"
            return KerasError(path: path, problem: "\(what): \(reason)")
        }
        var code: Int32 = 0
        guard let archive = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code) else {
            var error = zip_error_t()
            zip_error_init_with_code(&error, code)
            defer { zip_error_fini(&error) }
            throw failure("creating the ZIP archive", &error)
        }
        do {
            for member in members {
                // libzip owns (and frees) the copy from here on: zip_close reads it.
                guard let buffer = malloc(max(member.bytes.count, 1)) else { throw KerasError(path: path, problem: "out of memory") }
                member.bytes.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { memcpy(buffer, base, raw.count) }
                }
                guard let source = zip_source_buffer(archive, buffer, UInt64(member.bytes.count), 1) else {
                    free(buffer)
                    throw failure("adding \(member.name)", zip_get_error(archive))
                }
                let index = zip_file_add(archive, member.name, source, zip_flags_t(ZIP_FL_ENC_UTF_8))
                guard index >= 0 else {
                    zip_source_free(source)
                    throw failure("adding \(member.name)", zip_get_error(archive))
                }
                guard zip_set_file_compression(archive, UInt64(index), ZIP_CM_STORE, 0) == 0 else {
                    throw failure("storing \(member.name)", zip_get_error(archive))
                }
            }
            guard zip_close(archive) == 0 else { throw failure("writing the ZIP archive", zip_get_error(archive)) }
        } catch {
            zip_discard(archive)
            throw error
        }
    }

    // MARK: Reading

    /// The archive's `config.json` (bounded, the memory of its parse estimated first) and its weights, copied to a
    /// temporary file that `body` reads (HDF5 opens files) and that is removed afterwards.
    static func read<T>(_ path: String, memoryLimit: Int, body: (_ config: [UInt8], _ weightsPath: String, _ others: [String]) throws -> T) throws -> T {
        func refuse(_ problem: String) -> KerasError { KerasError(path: path, problem: problem) }
        let archive: ZipArchive
        do {
            archive = try ZipArchive(path: path)
        } catch let error as ImportError {
            throw refuse(error.problem.replacingOccurrences(of: " (.npz)", with: ""))
        }
        let names = archive.entries.map(\.name)
        guard Set(names).count == names.count else { throw refuse("the archive names a member twice") }
        guard let config = archive.entries.first(where: { $0.name == configMember }) else {
            throw refuse("no \(configMember): not a Keras 3 .keras archive")
        }
        guard let weights = archive.entries.first(where: { $0.name == weightsMember }) else {
            throw refuse("no \(weightsMember): not a Keras 3 .keras archive (or one saved in several weight shards)")
        }
        guard config.uncompressedSize <= KerasConfig.maximumBytes else {
            throw refuse("\(configMember) declares \(config.uncompressedSize) bytes, more than the \(KerasConfig.maximumBytes) a Sequential's config takes")
        }
        let (parseMemory, overflow) = config.uncompressedSize.multipliedReportingOverflow(by: KerasConfig.parseMemoryPerByte)
        guard !overflow, parseMemory <= memoryLimit else {
            throw refuse("parsing \(configMember) would take about \(parseMemory) bytes, more than the \(memoryLimit) allowed")
        }
        guard weights.uncompressedSize <= memoryLimit else {
            throw refuse("\(weightsMember) declares \(weights.uncompressedSize) bytes, more than the \(memoryLimit) allowed")
        }
        let configBytes = try readAll(archive.open(config), declared: config.uncompressedSize)

        // The weights member into a private temporary file.
        var template = Array((NSTemporaryDirectory() + "/lnet-keras-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else { throw refuse("cannot make a temporary file for \(weightsMember): \(String(cString: strerror(errno)))") }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(temporary) }
        do {
            defer { close(descriptor) }
            let stream = try archive.open(weights)
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
                if count == 0 { break }
                var written = 0
                while written < count {
                    let result = buffer.withUnsafeBytes { raw in
                        raw.baseAddress.map { Glibc.write(descriptor, $0 + written, count - written) } ?? -1
                    }
                    if result < 0, errno == EINTR { continue }
                    guard result > 0 else { throw refuse("cannot copy \(weightsMember) to a temporary file: \(String(cString: strerror(errno)))") }
                    written += result
                }
            }
        }
        let others = names.filter { ![configMember, weightsMember, metadataMember].contains($0) }
        return try body(configBytes, temporary, others)
    }

    private static func readAll(_ stream: ByteStream, declared: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: declared)
        var filled = 0
        while filled < declared {
            let count = try bytes.withUnsafeMutableBytes { try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if count == 0 { break }
            filled += count
        }
        // One more read: libzip checks the CRC-32 and the length at the end.
        var probe: [UInt8] = [0]
        _ = try probe.withUnsafeMutableBytes { try stream.read(into: $0) }
        return Array(bytes[..<filled])
    }
}
