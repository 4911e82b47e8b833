import ArgumentParser
import Foundation
import LNetRuns
import LNetTraining

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
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

    @OptionGroup var names: DatasetNameOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @OptionGroup var threading: ThreadOptions

    func run() throws {
        try Isolation.probe([checkpoint, data])
        try reportingErrors {
            threading.apply()
            // Notes wait for success, so that a refusal stays one `error:` line.
            var notes: [String] = []
            let report = try SavedModel(path: checkpoint, notes: { notes.append($0) }).evaluate(dataPath: data, x: names.x, y: names.y)
            notes.forEach(printNote)
            print(json ? report.renderJSON() : report.renderText())
        }
    }
}
