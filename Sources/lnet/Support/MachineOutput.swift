import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

/// The machine-readable output of `--json` (formats/json-output.md documents
/// every key): JSON Lines for `train` and `resume`, one object per line for
/// `verify`, one document for `diff`. Keys come in a fixed order and are never
/// renamed; new keys may be added.
extension JSON {
    /// The value on one line, as JSON Lines needs it (`rendered` spreads containers over several).
    var line: String {
        switch self {
        case .null, .bool, .int, .number, .string: return rendered(indent: 0)
        case .array(let values): return "[" + values.map(\.line).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.map { JSON.quote($0.0) + ":" + $0.1.line }.joined(separator: ",") + "}"
        }
    }

    /// `value` as a number, or null when nil (or not finite).
    static func optional(_ value: Double?) -> JSON { value.map(JSON.double) ?? .null }

    /// `value` as an integer, or null when nil.
    static func optional(_ value: Int?) -> JSON { value.map(JSON.int) ?? .null }

    /// `value` as a string, or null when nil.
    static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
}

/// Prints one JSON object per line on standard output, flushed at once so
/// that a reader of a pipe sees each as it comes.
enum JSONLines {
    static func emit(_ fields: [(String, JSON)]) {
        print(JSON.object(fields).line)
        fflush(nil)  // every stream, stdout among them (stdout itself is not concurrency-safe in Swift 6)
    }
}

/// The objects `lnet train --json` and `lnet resume --json` print.
enum TrainingJSON {
    static func epoch(_ summary: EpochSummary) -> [(String, JSON)] {
        [("event", .string("epoch")), ("epoch", .int(summary.epoch)), ("cost", .double(summary.cost)),
         ("learning_rate", .double(summary.nextLearningRate))]
    }

    static func test(epoch: Int, cost: Double, accuracy: Double) -> [(String, JSON)] {
        [("event", .string("test")), ("epoch", .int(epoch)), ("test_cost", .double(cost)),
         ("test_accuracy", .double(accuracy))]
    }

    static func checkpoint(path: String, epochsCompleted: Int, batchInEpoch: Int) -> [(String, JSON)] {
        [("event", .string("checkpoint")), ("path", .string(path)), ("epochs_completed", .int(epochsCompleted)),
         ("batch_in_epoch", .int(batchInEpoch))]
    }

    static func best(path: String, record: BestRecord) -> [(String, JSON)] {
        [("event", .string("best")), ("path", .string(path)), ("epoch", .int(record.epoch)),
         ("cost", .double(record.cost)), ("judged_on", .string(record.measure.rawValue))]
    }

    static func summary(_ outcome: TrainingOutcome, checkpoint: String?) -> [(String, JSON)] {
        let best: JSON = outcome.best.map { record in
            .object([("path", .optional(outcome.bestPath)), ("epoch", .int(record.epoch)), ("cost", .double(record.cost)),
                     ("judged_on", .string(record.measure.rawValue))])
        } ?? .null
        return [
            ("event", .string("summary")), ("completed", .bool(outcome.completed)),
            ("epochs_completed", .int(outcome.epochsCompleted)), ("epochs_target", .int(outcome.epochsTarget)),
            ("last_cost", .optional(outcome.lastCost)), ("train_accuracy", .optional(outcome.trainAccuracy)),
            ("test_accuracy", .optional(outcome.testAccuracy)), ("checkpoint", .optional(checkpoint)), ("best", best),
            ("resume_command", .optional(outcome.resumeCommand.map(Phrasing.commandLine))),
        ]
    }
}

/// The object `lnet verify --json` prints for each file.
enum VerifyJSON {
    static func report(file: String, _ report: CheckpointReport) -> JSON {
        let valid = report.problems.isEmpty && report.checkpoint != nil
        let checkpoint = valid ? report.checkpoint : nil
        let kind: JSON = checkpoint == nil ? .null : .string(report.isParametersOnly ? "parameters-only" : "full")
        return .object([
            ("file", .string(file)), ("valid", .bool(valid)), ("kind", kind),
            ("format_version", checkpoint == nil ? .null : .int(Int(Checkpoint.formatVersion))),
            ("layer_dims", checkpoint.map { .array($0.model.layerDims.map(JSON.int)) } ?? .null),
            ("epoch", .optional(checkpoint?.training?.epoch)),
            ("has_settings_checksum", .bool(report.hasSettingsChecksum)),
            ("problems", .array((report.checkpoint == nil && report.problems.isEmpty ? ["not a checkpoint"] : report.problems)
                .map(JSON.string))),
            ("warnings", .array(report.warnings.map(JSON.string))),
        ])
    }

    /// A file the isolated reader could not get through.
    static func unreadable(file: String, reason: String) -> JSON {
        .object([
            ("file", .string(file)), ("valid", .bool(false)), ("kind", .null), ("format_version", .null),
            ("layer_dims", .null), ("epoch", .null), ("has_settings_checksum", .bool(false)),
            ("problems", .array([.string("corrupt or unsupported (\(reason))")])), ("warnings", .array([])),
        ])
    }
}

/// The document `lnet diff --json` prints.
enum DiffJSON {
    static func document(_ diff: FileDiff) -> JSON {
        .object([
            ("a", .string(diff.fileA)), ("b", .string(diff.fileB)), ("atol", .double(diff.absoluteTolerance)),
            ("rtol", .double(diff.relativeTolerance)), ("nan_equal", .bool(diff.nanEqual)), ("equal", .bool(diff.isEqual)),
            ("compared_objects", .int(diff.comparedObjects)),
            ("differing_objects", .array(diff.differingObjects.map(JSON.string))),
            ("differences", .array(diff.differences.map { difference in
                .object([
                    ("object", .string(difference.path)), ("location", .string(diff.location(of: difference))),
                    ("kind", .string(kindName(difference.kind))), ("detail", .string(difference.detail)),
                    ("values", difference.values.map(values) ?? .null),
                ])
            })),
        ])
    }

    /// The stable key of each kind (the library's raw values have spaces).
    static func kindName(_ kind: FileDiff.Difference.Kind) -> String {
        switch kind {
        case .onlyInA: "only_in_a"
        case .onlyInB: "only_in_b"
        case .kind: "kind"
        case .dtype: "dtype"
        case .shape: "shape"
        case .attribute: "attribute"
        case .values: "values"
        }
    }

    private static func values(_ values: FileDiff.ValueDifference) -> JSON {
        .object([
            ("compared", .int(values.comparedCount)), ("differing", .int(values.differingCount)),
            ("max_abs_difference", .optional(values.maxAbsoluteDifference)),
            ("max_index", values.maxIndex.map { .array($0.map(JSON.int)) } ?? .null),
            ("first_index", .array(values.firstIndex.map(JSON.int))),
            ("first_a", .string(values.firstA)), ("first_b", .string(values.firstB)),
        ])
    }
}
