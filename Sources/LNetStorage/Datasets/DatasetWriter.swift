import Foundation

/// Writes a small dataset file (formats/dataset.md) in one go, atomically:
/// `x` examples first, `y` int64, optional `classes`.
public enum DatasetWriter {
    /// Writes `x` with shape `[y.count] + exampleShape` (row-major, example first) and `y`, plus `classes` when
    /// given. Throws `OutputExistsError` when the file exists and `overwrite` is false, or the error of a failed write,
    /// which leaves any old file as it was.
    public static func write(
        to path: String, x: [Double], exampleShape: [Int], y: [Int64], classes: [String]? = nil,
        overwrite: Bool = false
    ) throws {
        if !overwrite, FileManager.default.fileExists(atPath: path) {
            throw OutputExistsError(path: path)
        }
        let shape = [y.count] + exampleShape
        try AtomicFile.replace(path) { temporary in
            let file = try HDF5File.create(at: temporary, mode: .truncate)
            do {
                try file.root.createDataset("x", shape: shape, data: x)
                try file.root.createDataset("y", shape: [y.count], data: y)
                if let classes { try file.root.createDataset("classes", strings: classes) }
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
        }
    }
}
