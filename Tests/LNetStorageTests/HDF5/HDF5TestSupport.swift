import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

/// Scratch files for HDF5 tests: each test gets its own directory, removed
/// when the value is released.
final class HDF5Scratch {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lnet-hdf5-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The course's cat/non-cat files, which live outside the repository.
enum CourseFiles {
    static let directory = Repository.sharedDatasets

    static var train: String { directory.appendingPathComponent("train_catvnoncat.h5").path }
    static var test: String { directory.appendingPathComponent("test_catvnoncat.h5").path }

    static var available: Bool { FileManager.default.fileExists(atPath: train) }

    /// Printed when the course files are absent, so a skip is never silent.
    static let skipMessage = "skipped: course files not found in ../shared/datasets"
}
