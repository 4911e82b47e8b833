import Foundation

/// Writes `lnet predict`'s output, atomically, as HDF5 or CSV.
///
/// HDF5: `predicted` (m,) int64, `probabilities` (m, C) float64, and
/// `classes` (C,) strings when the model names its classes.
/// CSV: a header `example,predicted[,predicted_name],p_<class>…`, one row per
/// example; a field holding a comma, a quote or a line break is quoted (RFC 4180).
/// TSV: the same with tabs.
public enum PredictionFile {
    /// The formats `write` can produce, chosen by the name's extension.
    public enum Format: Sendable, Equatable {
        /// `.h5`, `.hdf5`.
        case hdf5
        /// `.csv` (comma) or `.tsv` (tab).
        case text(delimiter: Character)

        /// The format of `path`, or nil for an extension `write` refuses.
        public static func detect(path: String) -> Format? {
            let lower = path.lowercased()
            if lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") { return .hdf5 }
            if lower.hasSuffix(".csv") { return .text(delimiter: ",") }
            if lower.hasSuffix(".tsv") { return .text(delimiter: "\t") }
            return nil
        }
    }

    /// Writes to `path`; the format comes from its extension (`Format.detect`).
    /// Throws `DatasetError` for any other extension.
    public static func write(
        to path: String, predicted: [Int], probabilities: [Double], classCount: Int, classNames: [String]?
    ) throws {
        let names = classNames.flatMap { $0.count == classCount ? $0 : nil }
        guard let format = Format.detect(path: path) else {
            throw DatasetError(path: path, problem: "cannot tell what to write from the name: use .h5 or .csv")
        }
        if case .text(let separator) = format {
            func field(_ text: String) -> String { CSVQuoting.field(text, delimiter: separator) }
            var text = (["example", "predicted"] + (names == nil ? [] : ["predicted_name"])
                + (0..<classCount).map { field("p_" + (names?[$0] ?? String($0))) })
                .joined(separator: String(separator)) + "\n"
            for (index, guess) in predicted.enumerated() {
                var fields = [String(index), String(guess)]
                if let names { fields.append(field(guess < names.count ? names[guess] : "")) }
                for c in 0..<classCount { fields.append("\(probabilities[index * classCount + c])") }
                text += fields.joined(separator: String(separator)) + "\n"
            }
            try AtomicFile.replace(path) { temporary in
                guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
                    throw DatasetError(path: path, problem: "cannot write the file")
                }
            }
            return
        }
        try AtomicFile.replace(path) { temporary in
            let file = try HDF5File.create(at: temporary, mode: .truncate)
            do {
                try file.root.createDataset("predicted", shape: [predicted.count], data: predicted.map(Int64.init))
                try file.root.createDataset("probabilities", shape: [predicted.count, classCount], data: probabilities)
                if let names { try file.root.createDataset("classes", strings: names) }
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
        }
    }
}
