import Foundation
import LNetTestSupport
import Testing

/// Every command that reads files, on every relevant bad input from
/// `scripts/make-bad-inputs.py`, against the one right outcome written down in
/// `BadInputs/expectations.md` (the table below is that document as data).
///
/// Beyond the status, every case checks what a user must never see: a death
/// by signal, a Swift runtime trap, HDF5's raw error stack, an error that is
/// not exactly one `error:` line naming the file, or an output left behind by
/// a refused command.
@Suite("Bad inputs: every command, every case")
struct BadInputMatrixTests {
    enum Outcome: Sendable, CustomStringConvertible {
        /// Exit 0, no `error:` on stderr; stdout contains every string given.
        case ok([String] = [])
        /// Exit 1 with exactly one stderr line `error: …` naming `file` and containing `problem`.
        case refused(file: String, problem: String = "")
        /// `lnet verify`: exit 1, one `error: FILE: …` line per problem (and perhaps warnings).
        case verifyFails(file: String, problem: String)
        /// `lnet diff`: exit 1 (the files differ), no error line.
        case differs
        /// `lnet diff`: exit 2 and one `error:` line naming `file`.
        case unreadable(file: String)

        var description: String {
            switch self {
            case .ok: "ok"
            case .refused(let file, let problem): "refused(\(file), \(problem))"
            case .verifyFails(let file, let problem): "verify fails(\(file), \(problem))"
            case .differs: "differs"
            case .unreadable(let file): "unreadable(\(file))"
            }
        }
    }

    /// One command line. `{D}` is the corpus folder, `{O}` a fresh output
    /// folder of this case alone; `copy` files are copied into `{O}` first
    /// (resume rewrites its checkpoint) and must come out unchanged on refusal.
    struct Case: Sendable, CustomStringConvertible {
        var arguments: [String]
        var outcome: Outcome
        var copy: [String] = []
        var description: String { arguments.joined(separator: " ") + " → \(outcome)" }
    }

    /// Files libhdf5 cannot open at all.
    static let unopenable = [
        "empty.h5", "random.h5", "signature-noise.h5", "truncated-8.h5", "truncated-96.h5",
        "truncated-1024.h5", "truncated-half.h5", "truncated-end.h5",
    ]
    /// Well-formed HDF5 files whose data a dataset reader must refuse, with the words the refusal says.
    static let badData: [(file: String, problem: String)] = [
        ("x-strings.h5", "features must be numbers"),
        ("xy-length.h5", "has 64 examples but y (y) has 60 labels"),
        ("nan-features.h5", "nan at example 3, feature 1"),
        ("inf-features.h5", "inf at example 5, feature 0"),
        ("labels-out-of-range.h5", "is 5, but the file names only 2 classes"),
        ("labels-negative.h5", "is -1"),
        ("labels-fractional.h5", "is 0.5"),
        ("zero-examples.h5", "no examples"),
        ("absurd-size.h5", "declares"),
    ]
    /// Files whose x is a link that leads nowhere, with the words the refusal says.
    static let brokenLinks: [(file: String, problem: String)] = [
        ("dangling-soft-x.h5", "/x is a soft link to /missing, which does not exist"),
        ("missing-external-x.h5", "/x is an external link to missing-other.h5:/x, which cannot be opened"),
    ]
    /// Damaged LNet checkpoints, with the words the refusal says.
    static let badCheckpoints: [(file: String, problem: String)] = [
        ("ckpt-missing-tensor.h5", "/parameters/W2 is missing"),
        ("ckpt-misshaped.h5", "/parameters/W1 has shape (4, 2), expected (3, 2)"),
        ("ckpt-nan.h5", "/parameters/W1 holds NaN or infinite values"),
        ("ckpt-version.h5", "format_version 99 is not supported"),
        ("ckpt-negative-t.h5", "cannot be negative"),
        ("ckpt-flipped-setting.h5", "the settings checksum does not match"),
        ("ckpt-test-history.h5", "/training/test_epochs must be strictly increasing epochs, each 0 or more and below epoch"),
        ("ckpt-best-unpaired.h5", "/training must hold best_cost, best_epoch and best_judged_on together"),
        ("ckpt-truncated.h5", "the file is truncated: it has"),
    ]

    /// The safetensors files that break a rule of the format, and the words that name it.
    static let badSafetensors: [(String, String)] = [
        ("st-empty.safetensors", "fewer than the 8 of the header length"),
        ("st-header-too-large.safetensors", "above the format's limit of 100000000 bytes"),
        ("st-header-past-end.safetensors", "goes past the end of the file"),
        ("st-not-utf8.safetensors", "the header is not UTF-8"),
        ("st-bad-json.safetensors", "the header is not valid"),
        ("st-unknown-dtype.safetensors", "unknown dtype \"F128\""),
        ("st-gap.safetensors", "(a gap)"),
        ("st-overlap.safetensors", "(the tensors overlap)"),
        ("st-size-mismatch.safetensors", "takes 24 bytes, its data_offsets span 16"),
        ("st-trailing.safetensors", "4 bytes after the last tensor"),
        ("st-out-of-bounds.safetensors", "past its end"),
        ("st-metadata-number.safetensors", "is not a string"),
        ("st-duplicate.safetensors", "appears twice"),
        ("st-overflow.safetensors", "overflows"),
    ]

    /// The Keras archives LNet does not import, and the words that say why.
    static let badKeras: [(String, String)] = [
        ("k-not-zip.keras", "not a ZIP archive"),
        ("k-no-config.keras", "no config.json: not a Keras 3 .keras archive"),
        ("k-bad-json.keras", "config.json is not JSON"),
        ("k-deep.keras", "config.json is not JSON"),
        ("k-functional.keras", "the model is a Functional, not a Sequential"),
        ("k-conv.keras", "layer 'conv2d' (Conv2D): LNet imports a Sequential of Dense layers"),
        ("k-linear-output.keras", "the last Dense layer (dense) has activation linear"),
        ("k-units-mismatch.keras", "layer 'dense' has 2 units in config.json, 1 in the weights"),
        ("k-huge-config.keras", "more than the 16777216 a Sequential's config takes"),
    ]

    static var cases: [Case] {
        var cases: [Case] = []
        func add(_ arguments: [String], _ outcome: Outcome, copy: [String] = []) {
            cases.append(Case(arguments: arguments, outcome: outcome, copy: copy))
        }
        let dataReaders: [(String) -> [String]] = [
            { ["train", "--data", "{D}/\($0)", "--layers", "3,1", "--epochs", "1", "--quiet", "--checkpoint", "{O}/c.h5"] },
            { ["evaluate", "{D}/ckpt-good.h5", "--data", "{D}/\($0)"] },
            { ["predict", "{D}/ckpt-good.h5", "--data", "{D}/\($0)", "-o", "{O}/p.csv"] },
            { ["plot", "{D}/ckpt-good.h5", "--boundary", "--data", "{D}/\($0)", "-o", "{O}/b.svg"] },
            { ["convert", "{D}/\($0)", "{O}/c.h5", "--quiet"] },
        ]
        let checkpointReaders: [(String) -> [String]] = [
            { ["evaluate", "{D}/\($0)", "--data", "{D}/good.h5"] },
            { ["predict", "{D}/\($0)", "--data", "{D}/good.h5", "-o", "{O}/p.csv"] },
            { ["plot", "{D}/\($0)", "-o", "{O}/costs.svg"] },
            { ["plot", "{D}/\($0)", "--boundary", "--data", "{D}/good.h5", "-o", "{O}/b.svg"] },
            { ["convert", "{D}/\($0)", "{O}/c.npz", "--quiet"] },
        ]

        // inspect: any HDF5 file that opens is described, bad data or not.
        for file in unopenable {
            add(["inspect", "{D}/\(file)"], .refused(file: file))
            add(["inspect", "{D}/\(file)", "--stats"], .refused(file: file))
            add(["verify", "{D}/\(file)"], .verifyFails(file: file, problem: "cannot open file"))
            add(["diff", "{D}/good.h5", "{D}/\(file)"], .unreadable(file: file))
            add(["diff", "{D}/\(file)", "{D}/good.h5"], .unreadable(file: file))
            add(["resume", "{O}/\(file)", "--epochs", "1", "--quiet"], .refused(file: file), copy: [file])
            for reader in dataReaders + checkpointReaders { add(reader(file), .refused(file: file)) }
        }
        for (file, _) in badData where file != "absurd-size.h5" {
            add(["inspect", "{D}/\(file)"], .ok(["/x"]))
            add(["inspect", "{D}/\(file)", "--stats"], .ok(["Stats:"]))
        }
        add(["inspect", "{D}/nan-features.h5", "--stats"], .ok(["NaN 2, Inf 0"]))
        add(["inspect", "{D}/inf-features.h5", "--stats"], .ok(["NaN 0, Inf 1"]))
        add(["inspect", "{D}/absurd-size.h5"], .ok(["Dataset {1099511627776/Inf, 2}"]))
        add(["inspect", "{D}/absurd-size.h5", "--stats"], .refused(file: "absurd-size.h5", problem: "declares"))
        add(["inspect", "{D}/absurd-size.h5", "/x"], .refused(file: "absurd-size.h5", problem: "declares"))
        add(["inspect", "{D}/good.h5", "--stats"], .ok(["NaN 0, Inf 0"]))
        add(["inspect", "{D}/ckpt-good.h5", "--stats"], .ok(["LNet checkpoint"]))
        for (file, _) in badCheckpoints where file != "ckpt-truncated.h5" {
            add(["inspect", "{D}/\(file)", "--stats"], .ok(["/parameters/W1"]))
        }
        add(["inspect", "{D}/ckpt-truncated.h5"], .refused(file: "ckpt-truncated.h5", problem: "truncated"))

        // Dataset readers refuse every bad dataset, except: predict ignores the label values (it still
        // refuses x and y of different lengths, a file that contradicts itself); plot --boundary draws
        // the finite points and leaves NaN/inf out, as the cost curve does; convert copies NaN/inf
        // faithfully (a format change, not a judgement: `inspect --stats` then counts them).
        let labelValues: Set = ["labels-out-of-range.h5", "labels-negative.h5", "labels-fractional.h5"]
        let nonFinite: Set = ["nan-features.h5", "inf-features.h5"]
        for (file, problem) in badData {
            for (index, reader) in dataReaders.enumerated() {
                let accepted = (index == 2 && labelValues.contains(file)) || (index >= 3 && nonFinite.contains(file))
                add(reader(file), accepted ? .ok() : .refused(file: file, problem: problem))
            }
        }
        for reader in dataReaders { add(reader("good.h5"), .ok()) }
        for (file, problem) in brokenLinks {
            for reader in dataReaders { add(reader(file), .refused(file: file, problem: problem)) }
            add(["inspect", "{D}/\(file)"], .ok(["/x                       Other (a named datatype, or a link that does not resolve)"]))
        }

        // Checkpoint readers refuse every damaged checkpoint, and a dataset that is no checkpoint.
        for (file, problem) in badCheckpoints + [("good.h5", "not")] {
            for reader in checkpointReaders { add(reader(file), .refused(file: file, problem: problem)) }
            add(["verify", "{D}/\(file)"], .verifyFails(file: file, problem: problem))
            add(["resume", "{O}/\(file)", "--epochs", "1", "--quiet"], .refused(file: file, problem: problem), copy: [file])
            add(["diff", "{D}/ckpt-good.h5", "{D}/\(file)"], file == "ckpt-truncated.h5" ? .unreadable(file: file) : .differs)
        }
        for reader in checkpointReaders { add(reader("ckpt-good.h5"), .ok()) }
        add(["verify", "{D}/ckpt-good.h5"], .ok(["valid checkpoint"]))
        add(["resume", "{O}/ckpt-good.h5", "--epochs", "1", "--quiet"], .ok(), copy: ["ckpt-good.h5"])
        add(["diff", "{D}/good.h5", "{D}/good.h5"], .ok())
        add(["diff", "{D}/good.h5", "{D}/nan-features.h5"], .differs)

        // convert's own readers: CSV, NumPy, IDX.
        let conversions: [(String, [String], String)] = [
            ("ragged.csv", [], "expected 3 fields as in the header, found 2"),
            ("non-numeric.csv", [], "is not a number: 'four'"),
            ("empty.csv", [], "the file is empty"),
            ("header-only.csv", [], "no data rows"),
            ("non-utf8-label.csv", [], ":3: the label is not valid UTF-8"),
            ("negative-label.csv", [], ":3: the label is -1; labels must be class ids 0, 1, …"),
            ("bad-header.npy", [], "malformed .npy header"),
            ("object.npy", [], "object arrays"),
            ("bad-member.npz", [], "member 'x.npy'"),
            ("bad-magic-images-idx3-ubyte", ["--labels", "{D}/good-labels-idx1-ubyte"], "wrong magic number"),
            ("short-images-idx3-ubyte", ["--labels", "{D}/good-labels-idx1-ubyte"], "the body is short"),
            ("short-images-idx3-ubyte.gz", ["--labels", "{D}/good-labels-idx1-ubyte"], "the body is short"),
            ("empty.h5", ["--from", "csv"], "the file is empty"),
            ("random.h5", ["--from", "npy"], "random.h5"),
            ("random.h5", ["--from", "idx", "--labels", "{D}/good-labels-idx1-ubyte"], "random.h5"),
            ("random.h5", ["--from", "npz"], "random.h5"),
        ]
        for (file, extra, problem) in conversions {
            add(["convert", "{D}/\(file)", "{O}/c.h5", "--quiet"] + extra, .refused(file: file, problem: problem))
        }
        for file in ["fortran.npy", "big-endian.npy", "reference.npy", "good.npz"] {
            add(["convert", "{D}/\(file)", "{O}/c.h5", "--quiet"], .ok())
        }
        add(["convert", "{D}/good-images-idx3-ubyte", "{O}/c.h5", "--quiet", "--labels", "{D}/good-labels-idx1-ubyte"], .ok())

        // safetensors: each file breaks one rule of the format; import refuses it in one line naming the rule.
        for (file, problem) in Self.badSafetensors {
            add(["import", "{D}/\(file)", "{O}/c.h5", "--activations", "sigmoid"], .refused(file: file, problem: problem))
            add(["inspect", "{D}/\(file)"], .refused(file: file, problem: problem))
            add(["verify", "{D}/\(file)"], .verifyFails(file: file, problem: problem))
            add(["diff", "{D}/st-good.safetensors", "{D}/\(file)"], .unreadable(file: file))
        }
        add(["inspect", "{D}/st-good.safetensors", "--stats"], .ok(["0.weight", "F64"]))
        add(["verify", "{D}/st-good.safetensors"], .ok(["valid safetensors file"]))
        add(["diff", "{D}/st-good.safetensors", "{D}/st-good.safetensors"], .ok())
        add(["diff", "{D}/st-good.safetensors", "{D}/st-misshaped-bias.safetensors"], .differs)
        add(["import", "{D}/st-no-activations.safetensors", "{O}/c.h5"],
            .refused(file: "st-no-activations.safetensors", problem: "does not say its activations"))
        add(["import", "{D}/st-misshaped-bias.safetensors", "{O}/c.h5"],
            .refused(file: "st-misshaped-bias.safetensors", problem: "0.bias has shape [2], expected [1]"))
        add(["import", "{D}/st-no-activations.safetensors", "{O}/c.h5", "--activations", "relu"],
            .refused(file: "st-no-activations.safetensors", problem: "the output activation \"relu\" must be sigmoid or softmax"))
        add(["import", "{D}/st-no-activations.safetensors", "{O}/c.h5", "--activations", "softmax"],
            .refused(file: "st-no-activations.safetensors", problem: "a softmax output has 2 units or more"))
        add(["import", "{D}/st-good.safetensors", "{O}/c.h5"], .ok(["wrote"]))
        add(["import", "{D}/st-no-activations.safetensors", "{O}/c.h5", "--activations", "sigmoid"], .ok(["wrote"]))

        // Folders of photos: one bad file in cat/ refuses the folder, naming the file; --skip-bad converts the rest.
        let badImages: [(folder: String, file: String, problem: String)] = [
            ("images-truncated-jpg", "cat/truncated.jpg", "the file is truncated"),
            ("images-bad-crc-png", "cat/bad-crc.png", "CRC error"),
            ("images-not-an-image-jpg", "cat/not-an-image.jpg", "not a JPEG or PNG image"),
            ("images-bomb-png", "cat/bomb.png", "declares 50000 × 50000 pixels"),
            ("images-bomb-jpg", "cat/bomb.jpg", "declares 50000 × 50000 pixels"),
            ("images-empty-jpg", "cat/empty.jpg", "the file is empty"),
        ]
        for (folder, file, problem) in badImages {
            add(["convert", "{D}/\(folder)", "{O}/c.h5", "--size", "8", "--quiet"], .refused(file: "\(folder)/\(file)", problem: problem))
            add(["convert", "{D}/\(folder)", "{O}/c.h5", "--size", "8", "--skip-bad"], .ok(["8 examples, x uint8 (8, 8, 8, 3)"]))
        }
        add(["convert", "{D}/images-good", "{O}/c.h5", "--size", "8"], .ok(["8 examples, x uint8 (8, 8, 8, 3), y int64, 2 classes (cat, dog)"]))

        // Keras: each archive breaks one rule of what LNet imports; import refuses it in one line naming it.
        for (file, problem) in Self.badKeras {
            add(["import", "{D}/\(file)", "{O}/c.h5"], .refused(file: file, problem: problem))
        }
        add(["import", "{D}/k-good.weights.h5", "{O}/c.h5"],
            .refused(file: "k-good.weights.h5", problem: "pass --activations with one per layer (1), e.g. --activations sigmoid"))
        add(["import", "{D}/k-good.weights.h5", "{O}/c.h5", "--activations", "sigmoid"], .ok(["wrote"]))
        add(["import", "{D}/k-good.keras", "{O}/c.h5"], .ok(["wrote"]))
        return cases
    }

    /// Writes the corpus into a fresh temporary folder (the base checkpoint is trained by the binary under test).
    static func makeCorpus() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-bad-inputs-\(UUID().uuidString)")
        try Python.run([
            Repository.root.appendingPathComponent("scripts/make-bad-inputs.py").path, folder.path,
            "--lnet", try LNetBinary.url().path,
        ])
        return folder
    }

    /// What went wrong with one case, or nil.
    static func check(_ testCase: Case, corpus: URL) throws -> String? {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lnet-bad-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }
        for file in testCase.copy {
            try FileManager.default.copyItem(at: corpus.appendingPathComponent(file), to: output.appendingPathComponent(file))
        }
        let arguments = testCase.arguments.map {
            $0.replacingOccurrences(of: "{D}", with: corpus.path).replacingOccurrences(of: "{O}", with: output.path)
        }
        let result = try LNetBinary.runChecked(arguments, timeout: 60)
        var problems: [String] = []
        if let signal = result.signal { problems.append("killed by signal \(signal)") }
        if result.timedOut { problems.append("did not finish within 60 s") }
        for forbidden in ["HDF5-DIAG", "Fatal error", "Swift runtime failure", "Stack dump", "Assertion", "#000:"]
        where result.stderr.contains(forbidden) || result.stdout.contains(forbidden) {
            problems.append("printed \(forbidden)")
        }
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let left = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { !testCase.copy.contains($0) }
        func refusal(status: Int32, file: String, problem: String) {
            if result.status != status { problems.append("exit status \(result.status), expected \(status)") }
            if lines.count != 1 { problems.append("\(lines.count) stderr lines, expected one") }
            if let line = lines.first {
                if !line.hasPrefix("error: ") { problems.append("stderr does not start with 'error: '") }
                if !line.contains(file) { problems.append("the error does not name \(file)") }
                if !problem.isEmpty, !line.contains(problem) { problems.append("the error does not say '\(problem)'") }
            }
            if !left.isEmpty { problems.append("left \(left) in the output folder") }
            for file in testCase.copy {
                let before = try? Data(contentsOf: corpus.appendingPathComponent(file))
                let after = try? Data(contentsOf: output.appendingPathComponent(file))
                if before != after { problems.append("changed \(file)") }
            }
        }
        switch testCase.outcome {
        case .ok(let needles):
            if result.status != 0 { problems.append("exit status \(result.status), expected 0") }
            if result.stderr.contains("error:") { problems.append("printed an error") }
            for needle in needles where !result.stdout.contains(needle) { problems.append("stdout lacks '\(needle)'") }
        case .refused(let file, let problem):
            refusal(status: 1, file: file, problem: problem)
        case .unreadable(let file):
            refusal(status: 2, file: file, problem: "")
        case .differs:
            if result.status != 1 { problems.append("exit status \(result.status), expected 1") }
            if result.stderr.contains("error:") { problems.append("printed an error") }
        case .verifyFails(let file, let problem):
            if result.status != 1 { problems.append("exit status \(result.status), expected 1") }
            let errors = lines.filter { $0.hasPrefix("error: ") }
            if errors.isEmpty { problems.append("no error line") }
            if lines.contains(where: { !($0.hasPrefix("error: ") || $0.hasPrefix("warning: ")) || !$0.contains(file) }) {
                problems.append("a line that is not 'error: …\(file)…' or 'warning: …\(file)…'")
            }
            if !errors.contains(where: { $0.contains(problem) }) { problems.append("no error says '\(problem)'") }
        }
        if problems.isEmpty { return nil }
        return "\(testCase): " + problems.joined(separator: "; ")
            + "\n    stderr: \(result.stderr.prefix(400))"
    }

    @Test func everyCommandOnEveryBadInput() async throws {
        let corpus = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(at: corpus) }
        let cases = Self.cases
        // A few processes at a time: the machine is shared, and each case is one short process.
        let failures = try await withThrowingTaskGroup(of: String?.self) { group in
            var failures: [String] = []
            var next = 0
            let width = 4
            func start() {
                let testCase = cases[next]
                next += 1
                group.addTask { try Self.check(testCase, corpus: corpus) }
            }
            while next < min(width, cases.count) { start() }
            for try await failure in group {
                if let failure { failures.append(failure) }
                if next < cases.count { start() }
            }
            return failures
        }
        #expect(cases.count > 150)
        for failure in failures.sorted() { Issue.record(Comment(rawValue: failure)) }
    }

    /// Fortran order and big-endian are valid `.npy` layouts: they must give exactly the values of the plain file.
    @Test func fortranAndBigEndianConvertToTheSameValues() throws {
        let corpus = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(at: corpus) }
        for name in ["reference", "fortran", "big-endian"] {
            let result = try LNetBinary.run(["convert", corpus.appendingPathComponent("\(name).npy").path,
                                              corpus.appendingPathComponent("\(name)-out.h5").path, "--quiet"])
            #expect(result.status == 0, "\(name): \(result.stderr)")
        }
        for name in ["fortran", "big-endian"] {
            let diff = try LNetBinary.run(["diff", corpus.appendingPathComponent("\(name)-out.h5").path,
                                           corpus.appendingPathComponent("reference-out.h5").path])
            #expect(diff.status == 0, "\(name): \(diff.stdout) \(diff.stderr)")
        }
    }
}

extension LNetBinary {
    struct CheckedResult {
        var status: Int32
        var signal: Int32?
        var timedOut: Bool
        var stdout: String
        var stderr: String
    }

    /// Like `run`, but says whether the process died by a signal and kills it after `timeout` seconds.
    static func runChecked(_ arguments: [String], timeout: Double, environment: [String: String] = [:]) throws -> CheckedResult {
        let result = try Subprocess.run(try url(), arguments, environment: environment, timeout: timeout)
        return CheckedResult(
            status: result.signal == nil && !result.timedOut ? result.status : -1, signal: result.signal,
            timedOut: result.timedOut, stdout: result.stdout, stderr: result.stderr)
    }
}
