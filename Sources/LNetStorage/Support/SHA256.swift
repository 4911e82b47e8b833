import CCrypto

/// SHA-256 (FIPS 180-4), streaming, for the data fingerprint that checkpoints
/// record (`data_sha256`, see formats/checkpoint.md).
///
/// Computed by OpenSSL's libcrypto, which uses the processor's SHA extensions
/// (or AVX2) when it has them: about 1.2 GB/s here against 0.24 GB/s for a
/// portable Swift loop (benchmarks/fingerprint/README.md). The fingerprint
/// reads every byte of x at each `train` and `resume`, so its speed is the
/// speed of starting on a large dataset.
///
/// A value type: a copy digests on independently of the original.
public struct SHA256: Sendable {
    /// libcrypto could not allocate or run the digest.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// Which call failed.
        public let description: String
    }

    /// Owns one `EVP_MD_CTX`; shared between copies until one of them updates.
    private final class Context: @unchecked Sendable {
        let pointer: OpaquePointer
        /// The first failed call, reported by `finalize`.
        var failure: String?

        init(pointer: OpaquePointer) { self.pointer = pointer }

        deinit { EVP_MD_CTX_free(pointer) }
    }

    private var context: Context

    /// Starts an empty digest: feed it with `update`, then read `finalize()` or `hexDigest()`.
    public init() throws {
        guard let pointer = EVP_MD_CTX_new() else { throw Failure(description: "libcrypto: EVP_MD_CTX_new failed") }
        context = Context(pointer: pointer)
        guard EVP_DigestInit_ex(pointer, EVP_sha256(), nil) == 1 else {
            throw Failure(description: "libcrypto: EVP_DigestInit_ex(sha256) failed")
        }
    }

    /// Feeds more bytes into the digest.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        makeUnique()
        if EVP_DigestUpdate(context.pointer, base, bytes.count) != 1 {
            context.failure = context.failure ?? "libcrypto: EVP_DigestUpdate failed"
        }
    }

    /// Feeds the bytes of a collection of bytes (a string's UTF-8, say).
    public mutating func update<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// The digest of everything fed so far, as 32 bytes; the digest can go on.
    public func finalize() throws -> [UInt8] {
        if let failure = context.failure { throw Failure(description: failure) }
        guard let copy = EVP_MD_CTX_new() else { throw Failure(description: "libcrypto: EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(copy) }
        guard EVP_MD_CTX_copy_ex(copy, context.pointer) == 1 else {
            throw Failure(description: "libcrypto: EVP_MD_CTX_copy_ex failed")
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(copy, &digest, &length) == 1, length == 32 else {
            throw Failure(description: "libcrypto: EVP_DigestFinal_ex failed")
        }
        return digest
    }

    /// The digest as 64 lowercase hexadecimal characters.
    public func hexDigest() throws -> String {
        let digits = Array("0123456789abcdef")
        return String(try finalize().flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    /// Gives this value its own context before it changes, so copies stay independent.
    private mutating func makeUnique() {
        if isKnownUniquelyReferenced(&context) { return }
        guard let pointer = EVP_MD_CTX_new() else {
            context.failure = context.failure ?? "libcrypto: EVP_MD_CTX_new failed"
            return
        }
        let copy = Context(pointer: pointer)
        copy.failure = context.failure
        if EVP_MD_CTX_copy_ex(pointer, context.pointer) != 1 {
            copy.failure = copy.failure ?? "libcrypto: EVP_MD_CTX_copy_ex failed"
        }
        context = copy
    }
}
