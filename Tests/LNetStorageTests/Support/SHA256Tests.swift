import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

/// FIPS 180-4 example vectors, plus lengths around the padding boundary
/// checked against Python's hashlib at test time.
struct SHA256Tests {
    private func digest(_ text: String) throws -> String {
        var hasher = try SHA256()
        hasher.update(bytes: Array(text.utf8))
        return try hasher.hexDigest()
    }

    @Test func fipsExampleVectors() throws {
        #expect(try digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            try digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func streamingInPiecesEqualsOneUpdate() throws {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var whole = try SHA256()
        whole.update(bytes: bytes)
        var pieces = try SHA256()
        var start = 0
        for size in [1, 63, 64, 65, 7, 200, 600] where start < bytes.count {
            let end = min(bytes.count, start + size)
            pieces.update(bytes: bytes[start..<end])
            start = end
        }
        pieces.update(bytes: bytes[start...])
        #expect(try whole.hexDigest() == pieces.hexDigest())
    }

    /// A copy digests on by itself; finalizing does not end the digest.
    @Test func copiesAreIndependentAndFinalizeCanRepeat() throws {
        var first = try SHA256()
        first.update(bytes: Array("ab".utf8))
        var second = first
        second.update(bytes: Array("c".utf8))
        #expect(try first.hexDigest() == digest("ab"))
        #expect(try second.hexDigest() == digest("abc"))
        first.update(bytes: Array("c".utf8))
        #expect(try first.hexDigest() == second.hexDigest())
    }

    @Test func paddingBoundariesMatchHashlib() throws {
        let lengths = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]
        let script = "import hashlib\nfor n in \(lengths): print(hashlib.sha256(bytes((i*31+7) % 256 for i in range(n))).hexdigest())"
        let expected = try Python.run(["-c", script]).split(separator: "\n").map(String.init)
        let ours = try lengths.map { n -> String in
            var hasher = try SHA256()
            hasher.update(bytes: (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            return try hasher.hexDigest()
        }
        #expect(ours == expected)
    }
}
