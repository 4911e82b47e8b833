import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

/// Refuses an output file before any work: one of the command's `inputs` (by the
/// file, through any link, whatever `force` says), one that exists (unless
/// `force`), or one that cannot be written (a missing or read-only folder, a
/// folder's name).
func checkOutput(_ path: String, force: Bool, inputs: [String]) throws {
    try InputFiles(inputs).refuse(output: path)
    if !force, FileManager.default.fileExists(atPath: path) {
        throw OutputExistsError(path: path)
    }
    try AtomicFile.checkWritable(path)
}
