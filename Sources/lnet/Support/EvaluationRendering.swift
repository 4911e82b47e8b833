import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

extension EvaluationReport {
    /// The report as `lnet evaluate` prints it.
    func renderText() -> String {
        var lines = [
            "Examples: \(examples)",
            "Accuracy: \(String(format: "%.4f", accuracy)) (\(correct)/\(examples))",
            "Cost: \(String(format: "%.6f", cost))",
        ]
        if classes.count > 2 || classes.contains(where: { $0.name != nil }) {
            lines.append("Per class: examples, correct, predicted")
            for counts in classes {
                let name = counts.name.map { " \($0)" } ?? ""
                lines.append("  \(counts.id)\(name): \(counts.examples), \(counts.correct), \(counts.predicted)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object (`lnet evaluate --json`); a non-finite
    /// cost is `null`.
    func renderJSON() -> String {
        let perClass: [JSON] = classes.map { counts in
            var fields: [(String, JSON)] = [("id", .int(counts.id))]
            if let name = counts.name { fields.append(("name", .string(name))) }
            fields += [
                ("examples", .int(counts.examples)), ("correct", .int(counts.correct)),
                ("predicted", .int(counts.predicted)),
            ]
            return .object(fields)
        }
        return JSON.object([
            ("checkpoint", .string(checkpointPath)), ("data", .string(dataPath)), ("examples", .int(examples)),
            ("correct", .int(correct)), ("accuracy", .double(accuracy)), ("cost", .double(cost)),
            ("classes", .array(perClass)),
        ]).rendered()
    }
}
