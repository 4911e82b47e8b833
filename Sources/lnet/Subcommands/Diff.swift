import ArgumentParser
import Foundation
import LNetStorage

/// `lnet diff A B`: are two HDF5 files the same, within a tolerance? The work
/// is done by `FileDiff` in LNetStorage.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two HDF5 files (structure, shapes, dtypes, attributes, values), or any two of .h5, .safetensors and .npz by tensor.",
        discussion: """
            Like h5diff: every object must exist in both files with the same kind, \
            dtype, shape and attributes, and every pair of numbers a (from A) and \
            b (from B) must satisfy |a - b| <= atol + rtol * |b|, or be the same \
            infinity. A NaN equals nothing, not even a NaN (numpy's isclose, h5diff); \
            with --nan-equal a NaN equals a NaN (numpy's equal_nan=True), and still \
            nothing else. Datasets are read in blocks of rows, so files of any size \
            fit in memory.

            Prints nothing and exits 0 when the files are equal; otherwise one line \
            per difference, naming the object h5ls-style as FILE/OBJECT (in A, or in \
            B for an object only B has), and exits 1. --brief prints only the objects \
            that differ, one per line; --json one JSON document (formats/json-output.md). \
            A file that cannot be read prints one `error:` line and exits 2.

            When either file is a .safetensors or .npz, the files are compared \
            tensor by tensor under the course's names, mapped by \
            formats/interchange.md's rule (0.weight is W1, 2.bias is b2, \
            optimizer.0.weight.exp_avg is v_dW1, /parameters/W1 is W1, …); a bias \
            (n,) equals (n, 1). The tolerance rule and exit codes are the same:

              $ lnet diff cat.h5 cat.safetensors     # 0: the export holds the checkpoint's values

            Example: a resumed run against an uninterrupted one, bit for bit:

              $ lnet diff straight.h5 resumed.h5
              $ echo $?
              0

            and two checkpoints a few epochs apart:

              $ lnet diff cat-epoch100.h5 cat-epoch200.h5 --atol 1e-6
              cat-epoch100.h5/optimizer: attribute t: 100 in A, 200 in B
              cat-epoch100.h5/parameters/W1: 245760 of 245760 values differ; max |a-b| = 0.0031 at [3, 1021]; first at [0, 0]: 0.0157 vs 0.0161
              …
              $ lnet diff cat-epoch100.h5 cat-epoch200.h5 --brief
              cat-epoch100.h5/optimizer
              cat-epoch100.h5/parameters/W1
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

    @Flag(help: "A NaN equals a NaN (numpy's equal_nan=True); by default a NaN equals nothing.")
    var nanEqual = false

    @Flag(help: "Print only the objects that differ, one FILE/OBJECT per line.")
    var brief = false

    @Flag(help: "Print one JSON document (formats/json-output.md) instead of lines.")
    var json = false

    func validate() throws {
        guard atol >= 0, atol.isFinite else { throw ValidationError("--atol must be a finite number, 0 or more") }
        guard rtol >= 0, rtol.isFinite else { throw ValidationError("--rtol must be a finite number, 0 or more") }
        if brief, json { throw ValidationError("--brief and --json are two ways of printing: choose one") }
    }

    func run() throws {
        // 2: a file libhdf5 cannot read safely is unreadable, not different.
        try Isolation.probe([a, b].filter { HDF5File.hasSignature($0) }, failureStatus: 2)
        if !HDF5File.hasSignature(a) || !HDF5File.hasSignature(b), FileManager.default.fileExists(atPath: a), FileManager.default.fileExists(atPath: b) {
            // Across formats (.safetensors, .npz): tensor by tensor under the course's names.
            let diff: TensorSetDiff
            do {
                diff = try TensorSetDiff(comparing: a, with: b, absoluteTolerance: atol, relativeTolerance: rtol)
            } catch {
                let message = Phrasing.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
                FileHandle.standardError.write(Data("error: \(message)\n".utf8))
                throw ExitCode(2)
            }
            print(diff.renderText(), terminator: "")
            if !diff.isEqual { throw ExitCode(1) }
            return
        }
        let diff: FileDiff
        do {
            diff = try FileDiff(comparing: a, with: b, absoluteTolerance: atol, relativeTolerance: rtol, nanEqual: nanEqual)
        } catch {
            // 2, not 1: "could not compare" must not read as "differ".
            let message = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            print(DiffJSON.document(diff).rendered(indent: 0))
        } else {
            print(diff.renderText(brief: brief), terminator: "")
        }
        if !diff.isEqual { throw ExitCode(1) }
    }
}
