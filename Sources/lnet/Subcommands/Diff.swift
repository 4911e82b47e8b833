import ArgumentParser
import Foundation
import LNetStorage

/// `lnet diff A B`: are two HDF5 files the same, within a tolerance? The work
/// is done by `FileDiff` in LNetStorage.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two HDF5 files: structure, shapes, dtypes, attributes and values.",
        discussion: """
            Like h5diff: every object must exist in both files with the same kind, \
            dtype, shape and attributes, and every pair of numbers a (from A) and \
            b (from B) must satisfy |a - b| <= atol + rtol * |b|. NaN equals NaN. \
            Datasets are read in blocks of rows, so files of any size fit in memory.

            Prints nothing and exits 0 when the files are equal; otherwise one line \
            per difference and exits 1. A file that cannot be read prints one \
            `error:` line and exits 2.

            Example: a resumed run against an uninterrupted one, bit for bit:

              $ lnet diff straight.h5 resumed.h5
              $ echo $?
              0

            and two checkpoints a few epochs apart:

              $ lnet diff cat-epoch100.h5 cat-epoch200.h5 --atol 1e-6
              /optimizer: attribute t: 100 in A, 200 in B
              /parameters/W1: 245760 of 245760 values differ; max |a-b| = 0.0031 at [3, 1021]; first at [0, 0]: 0.0157 vs 0.0161
              …
            """
    )

    @Argument(help: "The first file (A).")
    var a: String

    @Argument(help: "The second file (B), the reference: rtol scales with |b|.")
    var b: String

    @Option(help: "Absolute tolerance.")
    var atol: Double = 0

    @Option(help: "Relative tolerance, a fraction of |b|.")
    var rtol: Double = 0

    func validate() throws {
        guard atol >= 0, atol.isFinite else { throw ValidationError("--atol must be a finite number, 0 or more") }
        guard rtol >= 0, rtol.isFinite else { throw ValidationError("--rtol must be a finite number, 0 or more") }
    }

    func run() throws {
        // 2: a file libhdf5 cannot read safely is unreadable, not different.
        try Isolation.probe([a, b], failureStatus: 2)
        let diff: FileDiff
        do {
            diff = try FileDiff(comparing: a, with: b, absoluteTolerance: atol, relativeTolerance: rtol)
        } catch {
            // 2, not 1: "could not compare" must not read as "differ".
            let message = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            throw ExitCode(2)
        }
        print(diff.renderText(), terminator: "")
        if !diff.isEqual { throw ExitCode(1) }
    }
}
