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
        exists: (String) throws -> Bool
    ) throws -> (x: String, y: String?) {
        let listing = "\(kind)s at the top level: " + (names.isEmpty ? "none" : names.sorted().joined(separator: ", "))
        func mustExist(_ name: String, _ option: String) throws {
            guard try exists(name) else {
                throw Failure(problem: "no \(kind) \(name) (\(option)); \(listing)")
            }
        }
        if let x {
            try mustExist(x, "--x")
            if let y {
                try mustExist(y, "--y")
                return (x, y)
            }
            let guess = x.hasSuffix("_x") ? String(x.dropLast()) + "y" : (x == "x" ? "y" : nil)
            if let guess, try exists(guess) { return (x, guess) }
            if requireLabels { throw Failure(problem: "no labels found for \(x): name them with --y; \(listing)") }
            return (x, nil)
        }
        if names.contains("x") {
            if let y { try mustExist(y, "--y") }
            let labels = y ?? (names.contains("y") ? "y" : nil)
            if labels == nil, requireLabels { throw Failure(problem: "x has no labels y beside it; \(listing)") }
            return ("x", labels)
        }
        let pairs = names.filter { $0.hasSuffix("_x") }.filter { names.contains(String($0.dropLast()) + "y") }
        if pairs.count == 1, let features = pairs.first {
            if let y { try mustExist(y, "--y") }
            return (features, y ?? String(features.dropLast()) + "y")
        }
        if !requireLabels {
            let lone = names.filter { $0.hasSuffix("_x") }
            if lone.count == 1, let features = lone.first { return (features, nil) }
        }
        let why = pairs.isEmpty ? "no \(kind) x (nor one *_x/*_y pair with the same prefix)" : "several *_x/*_y pairs"
        throw Failure(problem: "\(why): name them with --x and --y; \(listing)")
    }
}
