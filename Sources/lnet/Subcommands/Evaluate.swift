import ArgumentParser
import Foundation
import LNetTraining

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Accuracy and cost of a saved network on a labelled dataset.",
        discussion: """
            The checkpoint's input preprocessing (the uint8 scale, --standardize's means and deviations) \
            is applied to the data exactly as in training.

              lnet evaluate cat.h5 --data test_catvnoncat.h5
              lnet evaluate cat.h5 --data test_catvnoncat.h5 --json
            """)

    @Argument(help: "A checkpoint (a parameters-only one will do).")
    var checkpoint: String

    @Option(help: "The labelled dataset.")
    var data: String

    @Option(help: "The features' dataset name (default: x, or the one *_x).")
    var x: String?

    @Option(help: "The labels' dataset name (default: y, or the *_y beside *_x).")
    var y: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @OptionGroup var threading: ThreadOptions

    func run() throws {
        try reportingErrors {
            threading.apply()
            let report = try SavedModel(path: checkpoint).evaluate(dataPath: data, x: x, y: y)
            print(json ? EvaluationText.json(report) : EvaluationText.text(report))
        }
    }
}

/// How `lnet evaluate` shows its report.
enum EvaluationText {
    static func text(_ report: EvaluationReport) -> String {
        var lines = [
            "Examples: \(report.examples)",
            "Accuracy: \(String(format: "%.4f", report.accuracy)) (\(report.correct)/\(report.examples))",
            "Cost: \(String(format: "%.6f", report.cost))",
        ]
        if report.classes.count > 2 || report.classes.contains(where: { $0.name != nil }) {
            lines.append("Per class: examples, correct, predicted")
            for counts in report.classes {
                let name = counts.name.map { " \($0)" } ?? ""
                lines.append("  \(counts.id)\(name): \(counts.examples), \(counts.correct), \(counts.predicted)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: EvaluationReport) -> String {
        let classes = report.classes.map { counts -> String in
            let name = counts.name.map { "\"name\": \(quoted($0)), " } ?? ""
            return "{\"id\": \(counts.id), \(name)\"examples\": \(counts.examples), \"correct\": \(counts.correct), \"predicted\": \(counts.predicted)}"
        }
        let cost = report.cost.isFinite ? "\(report.cost)" : "null"
        return """
            {"checkpoint": \(quoted(report.checkpointPath)), "data": \(quoted(report.dataPath)), \
            "examples": \(report.examples), "correct": \(report.correct), "accuracy": \(report.accuracy), \
            "cost": \(cost), "classes": [\(classes.joined(separator: ", "))]}
            """
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
