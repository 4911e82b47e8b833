import Foundation
import LNetRuns
import LNetTraining

/// Prints what a training run reports, as the course does: costs on stdout
/// (`Cost after epoch N: X`), checkpoints and remarks on stderr, and a
/// progress line on stderr (`ProgressLine`) that never mixes with the costs.
///
/// With `json`, standard output is JSON Lines instead (`TrainingJSON`): one
/// object per printed epoch, test measurement, checkpoint and best model
/// saved, then a summary.
final class TrainingOutput {
    let quiet: Bool
    /// JSON Lines on standard output instead of the course's lines (`--json`).
    let json: Bool
    /// The checkpoint the run saves, for the JSON summary.
    var checkpointPath: String?
    private let line: ProgressLine
    private var progress: TrainingProgress?
    private var meter: ProgressMeter?
    // The clock is read only every so many events: a moons run makes 25,000
    // mini-batch updates in a fraction of a second.
    private var throttle = ClockThrottle()

    init(quiet: Bool, json: Bool = false) {
        self.quiet = quiet
        self.json = json
        // The progress line would interleave with the objects of a terminal reading stdout and stderr together.
        line = ProgressLine(enabled: !quiet && !json)
    }

    /// Starts measuring progress, from where `run` starts (part way through
    /// for a resumed run, so that the rate counts only this run's work).
    func begin(_ run: TrainingRun) {
        let state = run.state
        let start = TrainingProgress(
            completedEpochs: state.completedEpochs, miniBatchesDone: state.nextMiniBatch,
            targetEpochs: run.configuration.epochs, batchesPerEpoch: run.batchesPerEpoch,
            examplesPerEpoch: run.examplesPerEpoch, lastCost: state.costs.last)
        let now = ProgressLine.now()
        progress = start
        meter = ProgressMeter(start: start, at: now)
        line.restart(at: now)
    }

    func handle(_ event: TrainingEvent) {
        switch event {
        case .epochCompleted(let summary, let isReported):
            progress?.completedEpochs = summary.epoch + 1
            progress?.miniBatchesDone = 0
            progress?.lastCost = summary.cost
            if isReported, !quiet, json {
                JSONLines.emit(TrainingJSON.epoch(summary))
            } else if isReported, !quiet {
                let printCost = {
                    print("Cost after epoch \(summary.epoch): \(String(format: "%.6f", summary.cost))")
                    // Costs must show as they come when stdout is a pipe or a log file
                    // (fflush(nil) flushes every stream, stdout among them).
                    fflush(nil)
                }
                if line.isShown, let progress, let meter {
                    let now = ProgressLine.now()
                    line.interject(printCost, then: meter.line(progress, at: now), at: now)
                } else {
                    printCost()
                }
            } else {
                updateLine()
            }
        case .miniBatchCompleted(let epoch, let miniBatch):
            progress?.completedEpochs = epoch
            progress?.miniBatchesDone = miniBatch + 1
            updateLine()
        case .checkpointSaved(let path, let epoch, let batchInEpoch):
            if json { JSONLines.emit(TrainingJSON.checkpoint(path: path, epochsCompleted: epoch, batchInEpoch: batchInEpoch)) }
        case .testMeasured(let epoch, let cost, let accuracy):
            if json { JSONLines.emit(TrainingJSON.test(epoch: epoch, cost: cost, accuracy: accuracy)) }
        case .bestKept(let path, let best):
            if json { JSONLines.emit(TrainingJSON.best(path: path, record: best)) }
        case .note(let text):
            note(text)
        }
    }

    private func updateLine() {
        guard line.style != .none, let progress, let meter, throttle.tick() else { return }
        let now = ProgressLine.now()
        throttle.looked(at: now)
        if line.isDue(at: now) { line.draw(meter.line(progress, at: now), at: now) }
    }

    func note(_ text: String) {
        line.clear()
        FileHandle.standardError.write(Data("note: \(text)\n".utf8))
    }

    /// Erases the progress line for good: before the closing lines or an error.
    func end() {
        line.clear()
    }

    /// A stop that came before the first update: nothing was trained, nothing written.
    func stoppedBeforeStart(_ what: String) {
        end()
        FileHandle.standardError.write(Data("interrupted before training started; \(what)\n".utf8))
    }

    /// The closing lines: accuracies, or how to resume after an interruption.
    /// Runs `run` to its end or to a SIGINT/SIGTERM, printing as it goes;
    /// returns the signal that stopped it, if one did (`remark` says what was
    /// kept when the stop came before the first update).
    func drive(_ run: TrainingRun, ifStoppedBeforeStart remark: String) throws -> Int32? {
        if let signal = StopSignals.caught {
            stoppedBeforeStart(remark)
            return signal
        }
        begin(run)
        defer { end() }
        let outcome = try run.run(stopRequested: { StopSignals.caught != nil }, events: handle)
        finish(outcome)
        return outcome.completed ? nil : StopSignals.caught
    }

    /// ``drive(_:ifStoppedBeforeStart:)`` for a rank that is not rank 0: it trains in step with the
    /// others but prints nothing (rank 0 prints and saves).
    func driveSilently(_ run: TrainingRun) throws -> Int32? {
        let outcome = try run.run(stopRequested: { StopSignals.caught != nil })
        return outcome.completed ? nil : StopSignals.caught
    }

    /// ``drive(_:ifStoppedBeforeStart:)`` for rank 0 of several: a signal that came while the data
    /// loaded is agreed on with the others after the first update.
    func driveWithoutEarlyStop(_ run: TrainingRun) throws -> Int32? {
        begin(run)
        defer { end() }
        let outcome = try run.run(stopRequested: { StopSignals.caught != nil }, events: handle)
        finish(outcome)
        return outcome.completed ? nil : StopSignals.caught
    }

    func finish(_ outcome: TrainingOutcome) {
        end()
        if json { JSONLines.emit(TrainingJSON.summary(outcome, checkpoint: checkpointPath)) }
        if json, outcome.completed {
            return
        } else if outcome.completed {
            if let accuracy = outcome.trainAccuracy { print("Train accuracy: \(String(format: "%.4f", accuracy))") }
            if let accuracy = outcome.testAccuracy { print("Test accuracy: \(String(format: "%.4f", accuracy))") }
        } else {
            var text = "interrupted after epoch \(outcome.epochsCompleted) of \(outcome.epochsTarget)"
            if let command = outcome.resumeCommand {
                text += "; checkpoint saved. Resume with:\n  \(Phrasing.commandLine(command))"
            } else {
                text += "; no checkpoint was asked for (--checkpoint), so nothing was saved"
            }
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }
}
