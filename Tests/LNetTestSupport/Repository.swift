import Foundation

/// Where the tests find the repository and the course files beside it.
public enum Repository {
    /// The repository root, found from this file's path.
    public static let root: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/datasets`, where the course's cat files live in CI and on
    /// developers' machines; tests that need them skip with a message when absent.
    public static let sharedDatasets: URL = root.deletingLastPathComponent()
        .appendingPathComponent("shared/datasets", isDirectory: true)

    /// `Tests/interop`, the h5py/numpy scripts the tests run.
    public static let interop: URL = root.appendingPathComponent("Tests/interop", isDirectory: true)

    /// A fresh empty folder under the system's temporary folder.
    public static func scratchFolder(_ label: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
