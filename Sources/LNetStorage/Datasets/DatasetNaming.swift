/// The command-line options that choose a file's features and labels, named in
/// the messages that tell the user how to choose (`--x`/`--y`, `--test-x`/`--test-y`).
public struct DatasetOptionNames: Sendable, Equatable {
    /// The option naming the features, e.g. `--x`.
    public var x: String
    /// The option naming the labels; nil for a command that reads no labels (`predict`).
    public var y: String?

    /// Names the two options.
    public init(x: String, y: String?) {
        self.x = x
        self.y = y
    }

    /// `--x` and `--y`.
    public static let standard = DatasetOptionNames(x: "--x", y: "--y")
    /// `--test-x` and `--test-y`, for `lnet train --test`.
    public static let test = DatasetOptionNames(x: "--test-x", y: "--test-y")
    /// `--x` alone, for commands that ignore labels.
    public static let featuresOnly = DatasetOptionNames(x: "--x", y: nil)
}

/// The rule formats/dataset.md gives for finding the features and labels
/// among a file's names, shared by HDF5 dataset files and `.npz` archives so
/// that both pick the same pair: the names given; else `x` and `y`; else the
/// one `<prefix>_x` / `<prefix>_y` pair with the same prefix.
enum DatasetNaming {
    /// Why no pair could be chosen, in words; the caller adds the file.
    struct Failure: Error {
        let problem: String
    }

    /// Chooses `(x, y)` among `names` (the objects at the top level).
    /// `exists` answers for names given explicitly, which may be paths
    /// below the top level; `kind` is "dataset" or "array", for messages.
    /// With `requireLabels` false, y may be nil.
    static func resolve(
        names: [String], x: String?, y: String?, requireLabels: Bool, kind: String,
        options: DatasetOptionNames = .standard, exists: (String) throws -> Bool
    ) throws -> (x: String, y: String?) {
        let listing = "\(kind)s at the top level: " + (names.isEmpty ? "none" : names.sorted().joined(separator: ", "))
        let labelsOption = options.y ?? "--y"
        func mustExist(_ name: String, _ option: String) throws {
            guard try exists(name) else {
                throw Failure(problem: "no \(kind) \(name) (\(option)); \(listing)")
            }
        }
        if let x {
            try mustExist(x, options.x)
            if let y {
                try mustExist(y, labelsOption)
                return (x, y)
            }
            let guess = x.hasSuffix("_x") ? String(x.dropLast()) + "y" : (x == "x" ? "y" : nil)
            if let guess, try exists(guess) { return (x, guess) }
            if requireLabels { throw Failure(problem: "no labels found for \(x): name them with \(labelsOption); \(listing)") }
            return (x, nil)
        }
        if names.contains("x") {
            if let y { try mustExist(y, labelsOption) }
            let labels = y ?? (names.contains("y") ? "y" : nil)
            if labels == nil, requireLabels { throw Failure(problem: "x has no labels y beside it; \(listing)") }
            return ("x", labels)
        }
        let pairs = names.filter { $0.hasSuffix("_x") }.filter { names.contains(String($0.dropLast()) + "y") }
        if pairs.count == 1, let features = pairs.first {
            if let y { try mustExist(y, labelsOption) }
            return (features, y ?? String(features.dropLast()) + "y")
        }
        if !requireLabels {
            let lone = names.filter { $0.hasSuffix("_x") }
            if lone.count == 1, let features = lone.first { return (features, nil) }
        }
        let why = pairs.isEmpty ? "no \(kind) x (nor one *_x/*_y pair with the same prefix)" : "several *_x/*_y pairs"
        let advice = options.y.map { "name them with \(options.x) and \($0)" } ?? "name it with \(options.x)"
        throw Failure(problem: "\(why): \(advice); \(listing)")
    }
}
