/// Which of a command's two choices of a file's features and labels a dataset
/// was opened with, so that a message can say how to choose. The library names
/// no option: the CLI turns a selection into its flags (`--x`, `--test-x`…).
public enum DatasetSelection: Sendable, Equatable {
    /// The training (or evaluated) data: features and labels.
    case data
    /// The test data given beside the training data.
    case test
    /// The features alone, for a command that reads no labels.
    case featuresOnly
    /// The test data a checkpoint recorded, chosen by its `test_x_name`/`test_y_name` attributes.
    case recordedTest
}

/// Features or labels: the two names a ``DatasetSelection`` chooses.
public enum DatasetRole: Sendable, Equatable {
    case features, labels
}

/// Why no features/labels pair could be chosen among a file's names (the rule of
/// formats/dataset.md), as data: the CLI words it with its option names.
public struct DatasetNamingProblem: Sendable, Equatable {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// A name given for `role` is not in the file.
        case missing(name: String, role: DatasetRole)
        /// Features were named and no labels are beside them.
        case noLabels(features: String)
        /// `x` is there without `y`.
        case xWithoutLabels
        /// No `x` and no single `*_x`/`*_y` pair.
        case noPair
        /// Several `*_x`/`*_y` pairs, none chosen.
        case severalPairs
    }

    /// What went wrong.
    public let reason: Reason
    /// How the names were chosen, to say how to choose them.
    public let selection: DatasetSelection
    /// "dataset" or "array".
    public let kind: String
    /// The names at the top level of the file, listed in the message.
    public let names: [String]

    /// The problem in words; `name` gives the words for choosing a role (an option, an attribute).
    public func describe(naming name: (DatasetRole) -> String) -> String {
        let listing = "\(kind)s at the top level: " + (names.isEmpty ? "none" : names.sorted().joined(separator: ", "))
        let labelsNamed = selection != .featuresOnly
        switch reason {
        case .missing(let missing, let role):
            return "no \(kind) \(missing) (\(name(role))); \(listing)"
        case .noLabels(let features):
            return "no labels found for \(features): name them with \(name(.labels)); \(listing)"
        case .xWithoutLabels:
            return "x has no labels y beside it; \(listing)"
        case .noPair, .severalPairs:
            let why = reason == .noPair ? "no \(kind) x (nor one *_x/*_y pair with the same prefix)" : "several *_x/*_y pairs"
            let advice = labelsNamed ? "name them with \(name(.features)) and \(name(.labels))" : "name it with \(name(.features))"
            return "\(why): \(advice); \(listing)"
        }
    }

    /// The problem in the library's own words: the checkpoint's attribute for recorded test data,
    /// else "the features' name" / "the labels' name".
    public var description: String {
        describe { role in
            switch (selection, role) {
            case (.recordedTest, .features): "test_x_name"
            case (.recordedTest, .labels): "test_y_name"
            case (_, .features): "the features' name"
            case (_, .labels): "the labels' name"
            }
        }
    }
}

/// The rule formats/dataset.md gives for finding the features and labels
/// among a file's names, shared by HDF5 dataset files and `.npz` archives so
/// that both pick the same pair: the names given; else `x` and `y`; else the
/// one `<prefix>_x` / `<prefix>_y` pair with the same prefix.
enum DatasetNaming {
    /// Why no pair could be chosen; the caller adds the file.
    struct Failure: Error {
        let naming: DatasetNamingProblem
    }

    /// Chooses `(x, y)` among `names` (the objects at the top level).
    /// `exists` answers for names given explicitly, which may be paths
    /// below the top level; `kind` is "dataset" or "array", for messages.
    /// With `requireLabels` false, y may be nil.
    static func resolve(
        names: [String], x: String?, y: String?, requireLabels: Bool, kind: String,
        selection: DatasetSelection = .data, exists: (String) throws -> Bool
    ) throws -> (x: String, y: String?) {
        func failure(_ reason: DatasetNamingProblem.Reason) -> Failure {
            Failure(naming: DatasetNamingProblem(reason: reason, selection: selection, kind: kind, names: names))
        }
        func mustExist(_ name: String, _ role: DatasetRole) throws {
            guard try exists(name) else { throw failure(.missing(name: name, role: role)) }
        }
        if let x {
            try mustExist(x, .features)
            if let y {
                try mustExist(y, .labels)
                return (x, y)
            }
            let guess = x.hasSuffix("_x") ? String(x.dropLast()) + "y" : (x == "x" ? "y" : nil)
            if let guess, try exists(guess) { return (x, guess) }
            if requireLabels { throw failure(.noLabels(features: x)) }
            return (x, nil)
        }
        if names.contains("x") {
            if let y { try mustExist(y, .labels) }
            let labels = y ?? (names.contains("y") ? "y" : nil)
            if labels == nil, requireLabels { throw failure(.xWithoutLabels) }
            return ("x", labels)
        }
        let pairs = names.filter { $0.hasSuffix("_x") }.filter { names.contains(String($0.dropLast()) + "y") }
        if pairs.count == 1, let features = pairs.first {
            if let y { try mustExist(y, .labels) }
            return (features, y ?? String(features.dropLast()) + "y")
        }
        if !requireLabels {
            let lone = names.filter { $0.hasSuffix("_x") }
            if lone.count == 1, let features = lone.first { return (features, nil) }
        }
        throw failure(pairs.isEmpty ? .noPair : .severalPairs)
    }
}
