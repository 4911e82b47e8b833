import Foundation

/// What a file that a run would save its checkpoint over is, so that training
/// replaces only an earlier LNet checkpoint and never, even when forced, a
/// dataset or any other file someone might need.
public enum CheckpointTarget: Equatable, Sendable {
    /// Nothing is there yet.
    case absent
    /// An LNet checkpoint (the rule `inspect` and `convert` use).
    case checkpoint
    /// Something else, described for the user: "a folder", "an HDF5 file that
    /// holds x, y and classes", "not an HDF5 file (12 bytes)".
    case other(description: String)

    /// Looks at `path` without changing it. Opens it with libhdf5 only when it
    /// starts with HDF5's signature, so call it after the isolated probe has
    /// vetted an HDF5 file there.
    public static func examine(_ path: String) throws -> CheckpointTarget {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return .absent }
        if isFolder.boolValue { return .other(description: "a folder") }
        guard HDF5File.hasSignature(path) else {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            return .other(description: "not an HDF5 file (\(size) bytes)")
        }
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        if try CheckpointSummary.isCheckpoint(file) { return .checkpoint }
        let names = try file.root.members().map(\.name).sorted()
        let shown = names.prefix(6).joined(separator: ", ") + (names.count > 6 ? ", …" : "")
        return .other(description: names.isEmpty ? "an empty HDF5 file" : "an HDF5 file holding \(shown)")
    }
}
