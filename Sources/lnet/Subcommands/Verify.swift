import ArgumentParser
import Foundation
import LNetStorage

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a checkpoint against formats/checkpoint.md.",
        discussion: """
            Checks the layout, the shapes against layer_dims, the optimizer's state, the checksums (HDF5's \
            fletcher32 filter detects corrupted tensor bytes on read; settings_sha256 covers every setting) \
            and that every value is finite. Every problem is one line `error: FILE: …`; the exit status is 1 \
            if there is any. A valid checkpoint written without checksums (by h5py, say) verifies with a warning.

              lnet verify cat.h5

            With --json, one JSON object per file, one per line, on standard output (formats/json-output.md); \
            the problems and warnings are in it, and not printed on standard error.
            """)

    @Argument(help: "The checkpoint files to check.")
    var files: [String]

    @Flag(help: "Print one JSON object per file (formats/json-output.md) instead of lines.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one checkpoint") }
    }

    func run() throws {
        // libhdf5 can crash or hang on a crafted file: each file is read in a limited child (ProbeHDF5.swift).
        if !Isolation.readsDirectly {
            var failed = false
            for file in files {
                if json {
                    failed = !(try Isolation.relayJSON(file: file, arguments: ["verify", "--json", file])) || failed
                    continue
                }
                do { try Isolation.relay(file: file, arguments: ["verify", file]) } catch let exit as ExitCode where exit == .success {
                } catch { failed = true }
            }
            if failed { throw ExitCode.failure }
            return
        }
        var failed = false
        for file in files {
            let report = CheckpointFile.verify(path: file)
            if json {
                print(VerifyJSON.report(file: file, report).line)
                if !report.problems.isEmpty || report.checkpoint == nil { failed = true }
                continue
            }
            for warning in report.warnings {
                FileHandle.standardError.write(Data("warning: \(file): \(warning)\n".utf8))
            }
            for problem in report.problems {
                FileHandle.standardError.write(Data("error: \(file): \(problem)\n".utf8))
            }
            if report.problems.isEmpty, let checkpoint = report.checkpoint {
                let kind = report.isParametersOnly ? "parameters-only checkpoint" : "checkpoint"
                let epoch = checkpoint.training.map { ", epoch \($0.epoch)" } ?? ""
                print("\(file): valid \(kind), format version \(Checkpoint.formatVersion), layers \(checkpoint.model.layerDims)\(epoch)")
            } else {
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
