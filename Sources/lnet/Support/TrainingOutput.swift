import Foundation
import LNetTraining

/// Prints what a training run reports, as the course does: costs on stdout
/// (`Cost after epoch N: X`), checkpoints and remarks on stderr.
struct TrainingOutput {
    let quiet: Bool

    func handle(_ event: TrainingEvent) {
        switch event {
        case .epochCompleted(let summary, let isReported):
            if isReported, !quiet {
                print("Cost after epoch \(summary.epoch): \(String(format: "%.6f", summary.cost))")
                // Costs must show as they come when stdout is a pipe or a log file
                // (fflush(nil) flushes every stream, stdout among them).
                fflush(nil)
            }
        case .checkpointSaved:
            break
        case .note(let text):
            note(text)
        }
    }

    func note(_ text: String) {
        FileHandle.standardError.write(Data("note: \(text)\n".utf8))
    }

    /// The closing lines: accuracies, or how to resume after an interruption.
    func finish(_ outcome: TrainingOutcome, signal: Int32?) {
        if outcome.completed {
            if let accuracy = outcome.trainAccuracy { print("Train accuracy: \(String(format: "%.4f", accuracy))") }
            if let accuracy = outcome.testAccuracy { print("Test accuracy: \(String(format: "%.4f", accuracy))") }
        } else {
            var text = "interrupted after epoch \(outcome.epochsCompleted) of \(outcome.epochsTarget)"
            if let command = outcome.resumeCommand {
                text += "; checkpoint saved. Resume with:\n  \(command)"
            } else {
                text += "; no checkpoint was asked for (--checkpoint), so nothing was saved"
            }
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }
}
