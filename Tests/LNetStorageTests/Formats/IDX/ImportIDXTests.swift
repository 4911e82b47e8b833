import Foundation
import Testing
@testable import LNetStorage

@Suite struct ImportIDXTests {
    static func idx(type: UInt8, dimensions: [Int], body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return bytes + body
    }

    static let images = idx(type: 0x08, dimensions: [3, 2, 2], body: Array(0..<12))
    static let labels = idx(type: 0x08, dimensions: [3], body: [7, 0, 9])

    @Test func readsMNISTImagesAndLabels() throws {
        let dir = try ImportFixtures.makeDirectory()
        let imagesPath = try ImportFixtures.write(Self.images, to: "images-idx3-ubyte", in: dir)
        let labelsPath = try ImportFixtures.write(Self.labels, to: "labels-idx1-ubyte", in: dir)
        var reader = try IDXReader(images: imagesPath, labels: labelsPath)
        #expect(reader.imagesHeader.magic == 0x0000_0803)
        #expect(reader.labelsHeader?.magic == 0x0000_0801)
        #expect(reader.featureShape == [2, 2])
        #expect(reader.featureType == .uint8)
        #expect(reader.rowCount == 3)
        let first = try reader.nextChunk(maxRows: 2)
        #expect(first == RowChunk(rowCount: 2, features: .uint8(Array(0..<8)), labels: [7, 0]))
        let all = try ImportFixtures.readAll(&reader)
        #expect(all.features == [8, 9, 10, 11])
        #expect(all.labels == [9])
    }

    @Test func generalTypeCodesAreBigEndian() throws {
        let dir = try ImportFixtures.makeDirectory()
        let shorts = try ImportFixtures.write(Self.idx(type: 0x0B, dimensions: [2, 1], body: [0xFF, 0xFE, 0x01, 0x00]), to: "s", in: dir)
        var shortReader = try IDXReader(images: shorts)
        #expect(shortReader.featureType == .int16)
        #expect(try ImportFixtures.readAll(&shortReader).features == [-2, 256])
        let ints = try ImportFixtures.write(Self.idx(type: 0x0C, dimensions: [1], body: [0, 1, 0, 0]), to: "i", in: dir)
        var intReader = try IDXReader(images: ints)
        #expect(intReader.featureShape == [])
        #expect(try ImportFixtures.readAll(&intReader).features == [65536])
        var floatBits = withUnsafeBytes(of: Float(1.5).bitPattern.bigEndian) { Array($0) }
        floatBits += withUnsafeBytes(of: Float(-2).bitPattern.bigEndian) { Array($0) }
        let floats = try ImportFixtures.write(Self.idx(type: 0x0D, dimensions: [2], body: floatBits), to: "f", in: dir)
        var floatReader = try IDXReader(images: floats)
        #expect(floatReader.featureType == .float32)
        #expect(try ImportFixtures.readAll(&floatReader).features == [1.5, -2])
        let doubles = try ImportFixtures.write(Self.idx(type: 0x0E, dimensions: [1], body: withUnsafeBytes(of: Double(0.25).bitPattern.bigEndian) { Array($0) }), to: "d", in: dir)
        var doubleReader = try IDXReader(images: doubles)
        #expect(try ImportFixtures.readAll(&doubleReader).features == [0.25])
        let bytes = try ImportFixtures.write(Self.idx(type: 0x09, dimensions: [2], body: [0xFF, 0x05]), to: "b", in: dir)
        var byteReader = try IDXReader(images: bytes)
        #expect(try ImportFixtures.readAll(&byteReader).features == [-1, 5])
    }

    @Test func gzippedFilesAreInflatedAsStreams() throws {
        let dir = try ImportFixtures.makeDirectory()
        _ = try ImportFixtures.write(Self.images, to: "images", in: dir)
        _ = try ImportFixtures.write(Self.labels, to: "labels", in: dir)
        let big = Self.idx(type: 0x08, dimensions: [2000, 28, 28], body: (0..<(2000 * 784)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        _ = try ImportFixtures.write(big, to: "big", in: dir)
        try ImportFixtures.python("""
        import gzip
        for name in ['images', 'labels', 'big']:
            gzip.open(name + '.gz', 'wb').write(open(name, 'rb').read())
        data = gzip.compress(open('big', 'rb').read())
        open('short.gz', 'wb').write(data[:len(data) // 2])
        open('short-body.gz', 'wb').write(gzip.compress(open('big', 'rb').read()[:5000]))
        open('impossible.gz', 'wb').write(gzip.compress(bytes([0, 0, 8, 3, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0])))
        """, in: dir)
        let impossible = dir.appendingPathComponent("impossible.gz").path
        #expect(ImportFixtures.importError { _ = try IDXReader(images: impossible) }?.problem.contains("more than this") == true)
        var reader = try IDXReader(images: dir.appendingPathComponent("images.gz").path, labels: dir.appendingPathComponent("labels.gz").path)
        let all = try ImportFixtures.readAll(&reader)
        #expect(all.features == (0..<12).map(Double.init))
        #expect(all.labels == [7, 0, 9])

        var bigReader = try IDXReader(images: dir.appendingPathComponent("big.gz").path)
        var rows = 0
        while let chunk = try bigReader.nextChunk(maxRows: 300) {
            #expect(chunk.features == .uint8((rows * 784..<(rows + chunk.rowCount) * 784).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
            rows += chunk.rowCount
        }
        #expect(rows == 2000)

        for name in ["short.gz", "short-body.gz"] {
            let path = dir.appendingPathComponent(name).path
            let error = ImportFixtures.importError {
                var short = try IDXReader(images: path)
                _ = try ImportFixtures.readAll(&short, maxRows: 500)
            }
            #expect(error?.file == path, "\(name)")
            #expect(error != nil)
        }
    }

    @Test func wrongMagicShortBodyAndCountMismatchNameTheFile() throws {
        let dir = try ImportFixtures.makeDirectory()
        let csvLike = try ImportFixtures.write("a,b,c\n1,2,3\n", to: "not-idx", in: dir)
        let magic = ImportFixtures.importError { _ = try IDXReader(images: csvLike) }
        #expect(magic?.description.hasPrefix("\(csvLike): wrong magic number 0x612c622c") == true)
        let unknownType = try ImportFixtures.write([0, 0, 0x0A, 1, 0, 0, 0, 0], to: "type", in: dir)
        #expect(ImportFixtures.importError { _ = try IDXReader(images: unknownType) }?.problem.contains("unknown IDX type code 0xa") == true)
        let short = try ImportFixtures.write(Array(Self.images.dropLast(3)), to: "short", in: dir)
        let shortError = ImportFixtures.importError { _ = try IDXReader(images: short) }
        #expect(shortError?.description == "\(short): the body is short: dimensions [3, 2, 2] need 12 bytes of data, the file has 9")
        let huge = try ImportFixtures.write(Self.idx(type: 0x0E, dimensions: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], body: []), to: "huge", in: dir)
        #expect(ImportFixtures.importError { _ = try IDXReader(images: huge) }?.problem.contains("too large") == true)
        let imagesPath = try ImportFixtures.write(Self.images, to: "images", in: dir)
        let fewLabels = try ImportFixtures.write(Self.idx(type: 0x08, dimensions: [2], body: [1, 2]), to: "labels", in: dir)
        let mismatch = ImportFixtures.importError { _ = try IDXReader(images: imagesPath, labels: fewLabels) }
        #expect(mismatch?.description == "\(fewLabels): holds 2 labels but \(imagesPath) holds 3 images")
        let empty = try ImportFixtures.write([], to: "empty", in: dir)
        #expect(ImportFixtures.importError { _ = try IDXReader(images: empty) }?.problem.contains("too short") == true)
    }
}
