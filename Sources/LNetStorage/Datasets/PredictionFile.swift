import Foundation

/// Writes `lnet predict`'s output, atomically, as HDF5 or CSV.
///
/// HDF5: `predicted` (m,) int64, `probabilities` (m, C) float64, and
/// `classes` (C,) strings when the model names its classes.
/// CSV: a header `example,predicted[,predicted_name],p_<class>…`, one row per example.
public enum PredictionFile {
    /// Writes to `path`; the format comes from its extension (`.csv`, else HDF5).
    public static func write(
        to path: String, predicted: [Int], probabilities: [Double], classCount: Int, classNames: [String]?
    ) throws {
        let names = classNames.flatMap { $0.count == classCount ? $0 : nil }
        if path.lowercased().hasSuffix(".csv") || path.lowercased().hasSuffix(".tsv") {
            let separator = path.lowercased().hasSuffix(".tsv") ? "\t" : ","
            var text = (["example", "predicted"] + (names == nil ? [] : ["predicted_name"])
                + (0..<classCount).map { "p_" + csvField(names?[$0] ?? String($0), separator) })
                .joined(separator: separator) + "\n"
            for (index, guess) in predicted.enumerated() {
                var fields = [String(index), String(guess)]
                if let names { fields.append(csvField(guess < names.count ? names[guess] : "", separator)) }
                for c in 0..<classCount { fields.append("\(probabilities[index * classCount + c])") }
                text += fields.joined(separator: separator) + "\n"
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

    private static func csvField(_ text: String, _ separator: String) -> String {
        guard text.contains(separator) || text.contains("\"") || text.contains("\n") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
