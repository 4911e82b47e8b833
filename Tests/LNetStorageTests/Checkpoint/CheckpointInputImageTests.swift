import Foundation
import LNetStorage
import LNetTestSupport
import Testing

/// `input_image_shape`, `input_image_resize` and `input_image_exif_transpose` of
/// `/model` (formats/checkpoint.md, "Images"), and how a dataset of images is
/// recognised so that training records them.
@Suite("Checkpoint input image")
struct CheckpointInputImageTests {
    /// A checkpoint whose 12 inputs are a 2 × 2 RGB image.
    static func imageCheckpoint(_ image: InputImage? = InputImage(height: 2, width: 2, exifTranspose: true)) -> Checkpoint {
        var checkpoint = SettingsChecksumTests.checkpoint()
        let dims = [12, 4, 2]
        checkpoint.model.layerDims = dims
        checkpoint.model.inputMean = nil
        checkpoint.model.inputStd = nil
        checkpoint.model.inputImage = image
        let shapes = Checkpoint.expectedShapes(layerDims: dims)
        func tensors(_ prefix: String) -> [String: Tensor] {
            Dictionary(uniqueKeysWithValues: shapes.map { name, shape in
                (prefix + name, Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { Double($0) / 100 }))
            })
        }
        checkpoint.parameters = tensors("")
        checkpoint.optimizer?.v = tensors("d")
        checkpoint.optimizer?.s = tensors("d")
        return checkpoint
    }

    static func written(_ checkpoint: Checkpoint) throws -> (folder: URL, path: String) {
        let folder = try Repository.scratchFolder("checkpoint-image")
        let path = folder.appendingPathComponent("c.h5").path
        try CheckpointFile.write(checkpoint, to: path)
        return (folder, path)
    }

    @Test func theImageLayoutIsWrittenAndReadBack() throws {
        let checkpoint = Self.imageCheckpoint()
        let (folder, path) = try Self.written(checkpoint)
        defer { try? FileManager.default.removeItem(at: folder) }
        let read = try CheckpointFile.read(from: path)
        #expect(read.model.inputImage == InputImage(height: 2, width: 2, exifTranspose: true))
        #expect(read == checkpoint)
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        let model = try file.group(at: "/model").attributes
        #expect(try model.read("input_image_shape") == .int64Array([2, 2, 3]))
        #expect(try model.read("input_image_resize") == .string("pillow-bicubic"))
        #expect(try model.read("input_image_exif_transpose") == .int64(1))
    }

    @Test func aModelOfOtherDataHasNoImageAttributes() throws {
        let (folder, path) = try Self.written(Self.imageCheckpoint(nil))
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try CheckpointFile.read(from: path).model.inputImage == nil)
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        let names = try file.group(at: "/model").attributes.names()
        #expect(!names.contains { $0.hasPrefix("input_image") })
    }

    @Test func theSettingsChecksumCoversThem() throws {
        let (folder, path) = try Self.written(Self.imageCheckpoint())
        defer { try? FileManager.default.removeItem(at: folder) }
        try SettingsChecksumTests.change(path) { file in
            try file.group(at: "/model").attributes.write("input_image_exif_transpose", .int64(0))
        }
        let error = try #require(CheckpointSchemaTests.readError(path))
        guard case .settingsChecksumMismatch? = error.checkpointProblem else {
            Issue.record("expected a checksum mismatch, got \(error.problem)")
            return
        }
    }

    @Test(arguments: [
        ("input_image_shape", AttributeValue.int64Array([2, 3, 3]), CheckpointProblem.imageShapeSize(shape: [2, 3, 3], inputs: 12)),
        ("input_image_shape", .int64Array([1, 3, 4]), .attributeValue(group: "/model", name: "input_image_shape", found: "[1, 3, 4]", rule: .imageShape)),
        ("input_image_resize", .string("nearest"), .attributeValue(group: "/model", name: "input_image_resize", found: "\"nearest\"", rule: .oneOf(["pillow-bicubic"]))),
        ("input_image_exif_transpose", .int64(2), .attributeValue(group: "/model", name: "input_image_exif_transpose", found: "2", rule: .flag)),
    ])
    func aBrokenLayoutIsRefused(name: String, value: AttributeValue, expected: CheckpointProblem) throws {
        let (folder, path) = try Self.written(Self.imageCheckpoint())
        defer { try? FileManager.default.removeItem(at: folder) }
        try SettingsChecksumTests.change(path) { file in
            try file.group(at: "/model").attributes.write(name, value)
            try file.attributes.delete(SettingsChecksum.attributeName)
        }
        let error = try #require(CheckpointSchemaTests.readError(path))
        #expect(error.checkpointProblem == expected, "\(error.problem)")
    }

    @Test func aShapeWithoutItsResizeIsRefused() throws {
        let (folder, path) = try Self.written(Self.imageCheckpoint())
        defer { try? FileManager.default.removeItem(at: folder) }
        try SettingsChecksumTests.change(path) { file in
            try file.group(at: "/model").attributes.delete("input_image_resize")
            try file.attributes.delete(SettingsChecksum.attributeName)
        }
        let error = try #require(CheckpointSchemaTests.readError(path))
        #expect(error.problem == "/model has input_image_shape without input_image_resize")
    }

    // MARK: Recognising image data

    /// A dataset file holding `x` of `shape` (with `type`) and labels.
    static func dataset(shape: [Int], uint8: Bool, exifAttribute: AttributeValue? = nil) throws -> (URL, String) {
        let folder = try Repository.scratchFolder("image-dataset")
        let path = folder.appendingPathComponent("d.h5").path
        let file = try HDF5File.create(at: path, mode: .truncate)
        let count = shape.reduce(1, *)
        let x = uint8
            ? try file.root.createDataset("x", shape: shape, data: (0..<count).map { UInt8($0 % 256) })
            : try file.root.createDataset("x", shape: shape, data: (0..<count).map { Double($0) })
        if let exifAttribute { try x.attributes.write("image_exif_transpose", exifAttribute) }
        _ = try file.root.createDataset("y", data: [Int64](repeating: 0, count: shape[0]))
        try file.close()
        return (folder, path)
    }

    @Test func theCoursesLayoutIsAnImageDataset() throws {
        let (folder, path) = try Self.dataset(shape: [2, 4, 5, 3], uint8: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try DatasetFile(path: path)
        #expect(file.inputImage == InputImage(height: 4, width: 5))
    }

    @Test func theFolderConversionsOrientationAttributeIsKept() throws {
        let (folder, path) = try Self.dataset(shape: [1, 3, 3, 3], uint8: true, exifAttribute: .bool(true))
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try DatasetFile(path: path).inputImage == InputImage(height: 3, width: 3, exifTranspose: true))
    }

    @Test(arguments: [([2, 4, 5, 3], false), ([2, 4, 5], true), ([2, 4, 5, 4], true), ([2, 12], true)])
    func otherDataIsNot(shape: [Int], uint8: Bool) throws {
        let (folder, path) = try Self.dataset(shape: shape, uint8: uint8)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try DatasetFile(path: path).inputImage == nil)
    }
}
