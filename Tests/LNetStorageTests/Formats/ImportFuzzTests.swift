import Foundation
import Testing
@testable import LNetStorage

/// Hostile input: mutated and truncated copies of valid files must give
/// ImportErrors (or valid data), never a crash. Seeded, so failures replay.
@Suite struct ImportFuzzTests {
    struct XorShift: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    static func mutations(of original: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = XorShift(state: seed)
        var results: [[UInt8]] = []
        for round in 0..<count {
            var bytes = original
            switch round % 4 {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            case 1:
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            case 2:
                // Large values in likely size fields.
                for _ in 0..<2 where bytes.count > 4 {
                    let at = Int.random(in: 0..<(bytes.count - 4), using: &rng)
                    for k in 0..<4 { bytes[at + k] = 0xFF }
                }
            default:
                if !bytes.isEmpty { bytes[Int.random(in: 0..<min(bytes.count, 128), using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            }
            results.append(bytes)
        }
        return results
    }

    /// Reads the whole source; any thrown error must be an ImportError.
    static func survives(_ open: () throws -> any RowSource) -> Bool {
        do {
            var source = try open()
            var rows = 0
            while let chunk = try source.nextChunk(maxRows: 7) {
                rows += chunk.rowCount
                if rows > 1_000_000 { break }
            }
            return true
        } catch is ImportError {
            return true
        } catch {
            return false
        }
    }

    @Test func mutatedFilesNeverCrash() throws {
        let dir = try ImportFixtures.makeDirectory()
        try ImportFixtures.python(#"""
        import numpy as np, gzip
        x = np.arange(24, dtype='>f8').reshape(4, 3, 2)
        np.savez('s.npz', x=x, y=np.arange(4))
        np.savez_compressed('c.npz', x=x, y=np.arange(4))
        np.save('f.npy', np.asfortranarray(x))
        idx = bytes([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2]) + bytes(range(12))
        open('i.idx', 'wb').write(idx)
        open('i.gz', 'wb').write(gzip.compress(idx))
        open('d.csv', 'w', newline='').write('a,b,"c"\r\n1,2.5e3,x\n"3",nan,"y ""q"""\n\n5,6,x\n')
        """#, in: dir)
        let cases: [(String, (String) throws -> any RowSource)] = [
            ("s.npz", { try NumpyReader(npz: $0) }), ("c.npz", { try NumpyReader(npz: $0) }),
            ("f.npy", { try NumpyReader(npy: $0) }), ("i.idx", { try IDXReader(images: $0) }),
            ("i.gz", { try IDXReader(images: $0) }), ("d.csv", { try CSVReader(path: $0) }),
        ]
        for (seedIndex, (name, open)) in cases.enumerated() {
            let original = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
            for (index, bytes) in Self.mutations(of: original, count: 80, seed: UInt64(seedIndex + 1) * 0x9E37_79B9).enumerated() {
                let path = try ImportFixtures.write(bytes, to: "m-\(name)", in: dir)
                #expect(Self.survives { try open(path) }, "\(name) mutation \(index)")
            }
        }
    }
}
