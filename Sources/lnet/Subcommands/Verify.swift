import ArgumentParser
import Foundation
import LNetStorage

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a checkpoint against formats/checkpoint.md, or a .safetensors file against its format.",
        discussion: """
            Checks the layout, the shapes against layer_dims, the optimizer's state, the checksums (HDF5's \
            fletcher32 filter detects corrupted tensor bytes on read; settings_sha256 covers every setting) \
            and that every value is finite. Every problem is one line `error: FILE: …`; the exit status is 1 \
            if there is any. A valid checkpoint written without checksums (by h5py, say) verifies with a warning.

              lnet verify cat.h5

            With --json, one JSON object per file, one per line, on standard output (formats/json-output.md); \
            the problems and warnings are in it, and not printed on standard error.

            A .safetensors file is checked against the format's rules: the header length (at most \
            100,000,000 bytes, within the file), UTF-8 JSON of the format's shape, known dtypes, each \
            tensor's byte count from its dtype and shape, offsets contiguous from 0 and within the data, \
            no trailing bytes, __metadata__ values strings. An LNet export is also read as `lnet import` \
            would read it.

              lnet verify cat.safetensors
            """)

    @Argument(help: "The checkpoint (or .safetensors) files to check.")
    var files: [String]

    @Flag(help: "Print one JSON object per file (formats/json-output.md) instead of lines.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one checkpoint") }
    }

    /// Checks a safetensors file against the format's rules (formats/interchange.md): true when it is valid.
    static func verifySafetensors(_ file: String) -> Bool {
        do {
            let opened = try SafetensorsFile.open(file)
            let header = opened.header
            var line = "\(file): valid safetensors file, \(header.entries.count) tensors, header \(opened.headerLength) bytes, data \(header.dataLength) bytes"
            // An LNet export also says whether `lnet import` takes it as it is.
            if header.metadataValue(InterchangeRecordKey.activations) != nil {
                do {
                    let model = try SafetensorsInterchange.read(from: file, options: InterchangeReadOptions()).model
                    line += ", an LNet model, layers \(model.layerSizes)"
                    if let optimizer = model.optimizer { line += " with \(optimizer.settings.name) state (t = \(optimizer.settings.t))" }
                } catch {
                    FileHandle.standardError.write(Data("error: \(Phrasing.message(for: error))\n".utf8))
                    return false
                }
            }
            print(line)
            return true
        } catch {
            FileHandle.standardError.write(Data("error: \(Phrasing.message(for: error))\n".utf8))
            return false
        }
    }

    func run() throws {
        // safetensors files are checked here, by LNet's own bounded parser; HDF5 files as below.
        let safetensors = files.filter { !HDF5File.hasSignature($0) && SafetensorsFile.looksLikeSafetensors($0) }
        var safetensorsFailed = false
        for file in safetensors where !Self.verifySafetensors(file) { safetensorsFailed = true }
        let files = self.files.filter { !safetensors.contains($0) }
        if files.isEmpty {
            if safetensorsFailed { throw ExitCode.failure }
            return
        }
        // libhdf5 can crash or hang on a crafted file: each file is read in a limited child (ProbeHDF5.swift).
        if !Isolation.readsDirectly {
            var failed = safetensorsFailed
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
        var failed = safetensorsFailed
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
