import Foundation
import Testing
@testable import LNetStorage

/// Fixtures are written by real numpy at test time, so the reader is checked
/// against the format as numpy actually writes it.
@Suite struct ImportNumpyTests {
    static let dtypes = ["u1", "i1", "i2", "i4", "i8", "u2", "u4", "u8", "f4", "f8", "b1"]

    /// The value numpy stores at flat index `i` for `dtype` in the fixtures.
    static func expectedValue(_ dtype: String, _ i: Int) -> Double {
        if dtype == "b1" { return i % 2 == 0 ? 1 : 0 }
        if dtype.hasPrefix("u") { return Double(i % 7) }
        return Double(i % 7 - 3) + (dtype.hasPrefix("f") ? 0.5 : 0)
    }

    static let fixtures: Result<URL, Error> = Result {
        let dir = try ImportFixtures.makeDirectory()
        try ImportFixtures.python("""
        import numpy as np, zipfile
        i = np.arange(15)
        for dt in \(dtypes):
            for order in '<>':
                if dt == 'b1':
                    a = (i % 2 == 0)
                elif dt.startswith('u'):
                    a = (i % 7).astype(order + dt)
                else:
                    a = (i % 7 - 3 + (0.5 if dt.startswith('f') else 0)).astype(order + dt)
                np.save(f'x_{dt}_{"le" if order == "<" else "be"}.npy', a.reshape(5, 3))
        np.save('fortran_f8.npy', np.asfortranarray(np.arange(24, dtype='<f8').reshape(2, 3, 4)))
        np.save('fortran_be_i2.npy', np.asfortranarray(np.arange(24, dtype='>i2').reshape(4, 6)))
        y = np.array([0, 1, 2, 1, 0], dtype='<i8')
        np.save('y.npy', y)
        np.save('y_float.npy', y.astype('f8'))
        np.save('y_row.npy', y.reshape(1, 5).astype('u1'))
        np.save('y_bad.npy', np.array([0, 1.5, 2, 1, 0]))
        for version in [(1, 0), (2, 0), (3, 0)]:
            with open(f'v{version[0]}.npy', 'wb') as f:
                np.lib.format.write_array(f, np.arange(6, dtype='<i4').reshape(3, 2), version=version)
        np.save('obj.npy', np.array([1, 'a', None], dtype=object), allow_pickle=True)
        x = np.arange(40, dtype='<f4').reshape(10, 2, 2)
        labels = np.arange(10) % 3
        np.savez('stored.npz', x=x, y=labels)
        np.savez_compressed('compressed.npz', x=x, y=labels)
        np.savez_compressed('pair.npz', train_x=x, train_y=labels, classes=np.array([1, 2]))
        np.savez('ambiguous.npz', a_x=x, b_x=x, a_y=labels)
        np.savez('mismatched.npz', train_x=x, test_y=labels)
        np.savez('object.npz', x=np.array([1, 'a'], dtype=object), y=labels[:2])
        # Force every ZIP64 structure: sizes and offsets in the central
        # directory's extra fields and a ZIP64 end record (limits patched low).
        zipfile.ZIP64_LIMIT = 1
        zipfile.ZIP_FILECOUNT_LIMIT = 1
        np.savez_compressed('zip64.npz', x=x, y=labels)
        zipfile.ZIP64_LIMIT = (1 << 31) - 1
        zipfile.ZIP_FILECOUNT_LIMIT = (1 << 16) - 1
        # ZIP64 local headers on stored members, as python's zipfile writes them when forced.
        with zipfile.ZipFile('zip64-stored.npz', 'w') as z:
            for name, a in [('x', x), ('y', labels)]:
                with z.open(name + '.npy', 'w', force_zip64=True) as f:
                    np.lib.format.write_array(f, a)
        # A valid archive whose deflated member x.npy holds only the first half
        # of its deflate stream (sizes, CRC and offsets all consistent).
        import io, struct, zlib
        def npy_bytes(a):
            b = io.BytesIO(); np.save(b, a); return b.getvalue()
        def zip_of(members):
            out, central = b'', b''
            for name, data, method, crc, size in members:
                n = name.encode()
                central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, method, 0, 33, crc, len(data), size,
                                       len(n), 0, 0, 0, 0, 0o100644 << 16, len(out)) + n
                out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, method, 0, 33, crc, len(data), size, len(n), 0) + n + data
            return out + central + struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(members), len(members), len(central), len(out), 0)
        xb, yb = npy_bytes(x), npy_bytes(labels)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        deflated = packer.compress(xb) + packer.flush()
        cut = deflated[:len(deflated) // 2]
        with open('cut-member.npz', 'wb') as f:
            f.write(zip_of([('x.npy', cut, 8, zlib.crc32(xb), len(xb)), ('y.npy', yb, 0, zlib.crc32(yb), len(yb))]))
        big = np.random.default_rng(0).integers(0, 255, size=(3000, 784), dtype=np.uint8)
        np.savez_compressed('big.npz', x=big, y=np.arange(3000) % 10)
        np.save('big.npy', big)
        with open('trunc.npy', 'wb') as f:
            f.write(open('big.npy', 'rb').read()[:5000])
        """, in: dir)
        return dir
    }

    func fixture(_ name: String) throws -> String {
        try Self.fixtures.get().appendingPathComponent(name).path
    }

    @Test(arguments: dtypes) func everyDtypeBothByteOrders(dtype: String) throws {
        for order in ["le", "be"] {
            var reader = try NumpyReader(npy: try fixture("x_\(dtype)_\(order).npy"))
            #expect(reader.featureShape == [3])
            #expect(reader.rowCount == 5)
            let all = try ImportFixtures.readAll(&reader, maxRows: 2)
            #expect(all.features == (0..<15).map { Self.expectedValue(dtype, $0) }, "\(dtype) \(order)")
            #expect(all.labels == nil)
        }
        let types: [String: FeatureElementType] = ["u1": .uint8, "i1": .int8, "i2": .int16, "i4": .int32, "i8": .int64, "u2": .uint16,
                                                   "u4": .uint32, "u8": .uint64, "f4": .float32, "f8": .float64, "b1": .uint8]
        #expect(try NumpyReader(npy: try fixture("x_\(dtype)_be.npy")).featureType == types[dtype])
    }

    @Test func fortranOrderBecomesCOrder() throws {
        var reader = try NumpyReader(npy: try fixture("fortran_f8.npy"))
        #expect(reader.featuresHeader.fortranOrder)
        #expect(reader.featureShape == [3, 4])
        let all = try ImportFixtures.readAll(&reader, maxRows: 1)
        #expect(all.features == (0..<24).map(Double.init))
        var bigEndian = try NumpyReader(npy: try fixture("fortran_be_i2.npy"))
        #expect(bigEndian.featureType == .int16)
        #expect(try ImportFixtures.readAll(&bigEndian).features == (0..<24).map(Double.init))
    }

    @Test func formatVersions1To3() throws {
        for version in 1...3 {
            var reader = try NumpyReader(npy: try fixture("v\(version).npy"))
            #expect(Int(reader.featuresHeader.major) == version)
            #expect(try ImportFixtures.readAll(&reader).features == (0..<6).map(Double.init))
        }
    }

    @Test func labelsFromSeparateNpyInAnyAcceptedShape() throws {
        for labelFile in ["y.npy", "y_float.npy", "y_row.npy"] {
            var reader = try NumpyReader(npy: try fixture("x_f8_le.npy"), labels: try fixture(labelFile))
            #expect(try ImportFixtures.readAll(&reader, maxRows: 2).labels == [0, 1, 2, 1, 0], "\(labelFile)")
        }
        var bad = try NumpyReader(npy: try fixture("x_f8_le.npy"), labels: try fixture("y_bad.npy"))
        let error = ImportFixtures.importError { _ = try ImportFixtures.readAll(&bad) }
        #expect(error?.problem == "label of row 1 is 1.5, not an integer class id")
        let mismatch = ImportFixtures.importError { _ = try NumpyReader(npy: try fixture("x_f8_le.npy"), labels: try fixture("v1.npy")) }
        #expect(mismatch?.problem.contains("the features have 5 rows") == true)
    }

    @Test func objectArraysAreRefused() throws {
        let error = ImportFixtures.importError { _ = try NumpyReader(npy: try fixture("obj.npy")) }
        #expect(error?.problem.contains("object arrays") == true)
        #expect(error?.problem.contains("pickle") == true)
        let inArchive = ImportFixtures.importError { _ = try NumpyReader(npz: try fixture("object.npz")) }
        #expect(inArchive?.member == "x.npy")
        #expect(inArchive?.problem.contains("object arrays") == true)
    }

    @Test func headerDeclaringMoreDataThanTheFileIsRefused() throws {
        let error = ImportFixtures.importError { _ = try NumpyReader(npy: try fixture("trunc.npy")) }
        #expect(error?.problem.contains("bytes of data) but only") == true)
        // A hand-written header claiming a petabyte array: refused, not allocated.
        let dir = try ImportFixtures.makeDirectory()
        var header = Array("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }".utf8)
        while (header.count + 11) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + [0, 0, 0, 0]
        let path = try ImportFixtures.write(bytes, to: "huge.npy", in: dir)
        let huge = ImportFixtures.importError { _ = try NumpyReader(npy: path) }
        #expect(huge?.problem.contains("only 4 bytes follow") == true)
        let overflow = Array("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }\n".utf8)
        let overflowPath = try ImportFixtures.write([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(overflow.count), 0] + overflow, to: "overflow.npy", in: dir)
        #expect(ImportFixtures.importError { _ = try NumpyReader(npy: overflowPath) }?.problem.contains("too large") == true)
    }

    @Test func strictHeaderParser() throws {
        let dir = try ImportFixtures.makeDirectory()
        let cases = [
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}": "unexpected key 'extra'",
            "{'descr': '<f8', 'fortran_order': __import__('os'), 'shape': (2,)}": "must be True or False",
            "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,)}": "structured dtypes",
            "{'descr': '<c16', 'fortran_order': False, 'shape': (2,)}": "unsupported dtype '<c16'",
            "{'descr': '<f8', 'shape': (2,)}": "no 'fortran_order'",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}": "non-negative integer",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} junk": "unexpected text",
        ]
        for (dict, expected) in cases {
            let header = Array(dict.utf8) + [0x0A]
            let path = try ImportFixtures.write([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count), 0] + header + [UInt8](repeating: 0, count: 16), to: "h.npy", in: dir)
            let error = ImportFixtures.importError { _ = try NumpyReader(npy: path) }
            #expect(error?.problem.contains(expected) == true, "\(dict): \(String(describing: error))")
        }
        let notNumpy = try ImportFixtures.write("hello world, not numpy", to: "n.npy", in: dir)
        #expect(ImportFixtures.importError { _ = try NumpyReader(npy: notNumpy) }?.problem.contains("magic") == true)
    }

    @Test(arguments: ["stored.npz", "compressed.npz", "pair.npz", "zip64.npz", "zip64-stored.npz"])
    func npzStoredAndDeflated(name: String) throws {
        var reader = try NumpyReader(npz: try fixture(name))
        #expect(reader.featureShape == [2, 2])
        #expect(reader.featureType == .float32)
        let all = try ImportFixtures.readAll(&reader, maxRows: 4)
        #expect(all.features == (0..<40).map(Double.init))
        #expect(all.labels == (0..<10).map { Int64($0 % 3) })
    }

    @Test func npzNamesExplicitAndAmbiguous() throws {
        let pair = try NPZArchive(path: try fixture("pair.npz"))
        #expect(Set(pair.arrayNames) == ["train_x", "train_y", "classes"])
        #expect(try pair.resolveNames(x: nil, y: nil) == ("train_x", "train_y"))
        // Only a_x has its a_y: the pair is found by matching prefixes.
        #expect(try NPZArchive(path: try fixture("ambiguous.npz")).resolveNames(x: nil, y: nil) == ("a_x", "a_y"))
        // train_x and test_y are no pair: never pair features with another set's labels.
        let error = ImportFixtures.importError { _ = try NumpyReader(npz: try fixture("mismatched.npz")) }
        #expect(error?.problem.contains("arrays at the top level: test_y, train_x") == true)
        var explicit = try NumpyReader(npz: try fixture("ambiguous.npz"), x: "b_x", y: "a_y")
        #expect(try ImportFixtures.readAll(&explicit).labels?.count == 10)
        let missing = ImportFixtures.importError { _ = try NumpyReader(npz: try fixture("stored.npz"), x: "nope", y: "y") }
        #expect(missing?.naming?.reason == .missing(name: "nope", role: .features))
    }

    @Test func largeDeflatedMemberStreamsInChunks() throws {
        var reader = try NumpyReader(npz: try fixture("big.npz"))
        var plain = try NumpyReader(npy: try fixture("big.npy"))
        var rows = 0
        while let chunk = try reader.nextChunk(maxRows: 256) {
            let expected = try plain.nextChunk(maxRows: 256)
            #expect(chunk.features == expected?.features)
            #expect(chunk.labels == (rows..<(rows + chunk.rowCount)).map { Int64($0 % 10) })
            rows += chunk.rowCount
        }
        #expect(rows == 3000)
    }

    /// Flips one byte inside the data of member `x.npy` and reads everything.
    func readCorrupted(_ name: String, flipAt offsetFromDataEnd: Int) throws -> ImportError? {
        let dir = try ImportFixtures.makeDirectory()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try fixture(name))))
        let dataEnd = try #require(Self.endOfMemberData("x.npy", in: bytes))
        bytes[dataEnd - offsetFromDataEnd] ^= 0x5A
        let path = try ImportFixtures.write(bytes, to: name, in: dir)
        return ImportFixtures.importError {
            var reader = try NumpyReader(npz: path)
            _ = try ImportFixtures.readAll(&reader, maxRows: 100)
        }
    }

    /// Where the data of member `name` ends in a numpy-written archive: at the
    /// next ZIP record (local header or central directory) after its local header.
    static func endOfMemberData(_ name: String, in bytes: [UInt8]) -> Int? {
        func signature(_ at: Int, _ third: UInt8, _ fourth: UInt8) -> Bool {
            at + 4 <= bytes.count && bytes[at] == 0x50 && bytes[at + 1] == 0x4B && bytes[at + 2] == third && bytes[at + 3] == fourth
        }
        let nameBytes = Array(name.utf8)
        guard let header = bytes.indices.first(where: {
            signature($0, 3, 4) && $0 + 30 + nameBytes.count <= bytes.count && Array(bytes[($0 + 30)..<($0 + 30 + nameBytes.count)]) == nameBytes
        }) else { return nil }
        return ((header + 30)..<bytes.count).first { signature($0, 3, 4) || signature($0, 1, 2) }
    }

    @Test func corruptMembersAreErrorsNamingTheMember() throws {
        let stored = try readCorrupted("stored.npz", flipAt: 5)
        #expect(stored?.member == "x.npy")
        #expect(stored?.problem.contains("CRC-32 mismatch") == true)
        let deflated = try readCorrupted("compressed.npz", flipAt: 20)
        #expect(deflated?.member == "x.npy")
        let truncated = try Data(contentsOf: URL(fileURLWithPath: try fixture("compressed.npz"))).prefix(300)
        let path = try ImportFixtures.write([UInt8](truncated), to: "cut.npz", in: try ImportFixtures.makeDirectory())
        #expect(ImportFixtures.importError { _ = try NumpyReader(npz: path) }?.problem.contains("not a ZIP archive") == true)
    }

    @Test func truncatedDeflateStreamIsAnErrorNamingTheMember() throws {
        let error = ImportFixtures.importError {
            var reader = try NumpyReader(npz: try fixture("cut-member.npz"))
            _ = try ImportFixtures.readAll(&reader, maxRows: 100)
        }
        #expect(error?.member == "x.npy", "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }
}
