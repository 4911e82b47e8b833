/// One way a checkpoint departs from formats/checkpoint.md (``CheckpointSchema``),
/// naming the object concerned. `description` is the one phrasing of each:
/// `lnet verify` prints every problem, `CheckpointFile.read` throws the first.
public enum CheckpointProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file or an object in it cannot be read (libhdf5's words, without the file name).
    case unreadable(String)
    /// No `format` attribute and no `/model` and `/parameters`.
    case notALNetCheckpoint
    /// Nothing could be read as a checkpoint.
    case notACheckpoint
    /// The root `format` is absent (nil) or not `lnet-checkpoint`.
    case wrongFormat(found: String?)
    /// The root `format_version` is absent (nil) or not an integer.
    case formatVersionNotAnInteger(found: String?)
    /// A `format_version` this code does not read.
    case unsupportedFormatVersion(Int64)
    /// `settings_sha256` is present but cannot be read.
    case settingsChecksumUnreadable(String)
    /// `settings_sha256` is not 64 lowercase hexadecimal digits.
    case settingsChecksumMalformed(found: String)
    /// Something the settings checksum covers cannot be read.
    case settingsChecksumNotComputable(String)
    /// `settings_sha256` differs from the digest of what the file holds.
    case settingsChecksumMismatch(stored: String, actual: String)
    /// A group or dataset that must be there is not.
    case missing(path: String)
    /// One of `/optimizer` and `/training` without the other.
    case sectionWithoutPartner(present: String, missing: String)
    /// One of `input_mean` and `input_std` without the other.
    case standardizationUnpaired(present: String, missing: String)
    /// A required attribute is absent.
    case attributeMissing(group: String, name: String)
    /// An attribute holds another type than the schema declares.
    case attributeType(group: String, name: String, found: String, expected: String)
    /// An attribute's value breaks its rule.
    case attributeValue(group: String, name: String, found: String, rule: CheckpointSchema.Rule)
    /// `activations` does not have one entry per layer.
    case activationCount(found: Int, layers: Int)
    /// A hidden layer (1-based) with an activation hidden layers cannot use.
    case hiddenActivation(layer: Int, name: String)
    /// The output activation is neither sigmoid nor softmax.
    case outputActivation(String)
    /// `loss` is not the one the output activation requires.
    case lossMismatch(loss: String, output: String, expected: String)
    /// A sigmoid output layer with other than 1 unit.
    case sigmoidUnits(Int)
    /// A softmax output layer with fewer than 2 units.
    case softmaxUnits(Int)
    /// `classes` does not name one class per softmax unit.
    case classCount(classes: Int, units: Int)
    /// A dataset with values that must be positive and are not.
    case notPositive(path: String)
    /// A dataset whose shape is not the one the schema derives.
    case shape(path: String, found: [Int], expected: [Int])
    /// A tensor that is not floating point.
    case elementType(path: String, found: String)
    /// A dataset with NaN or infinite values.
    case nonFinite(path: String)
    /// `/training/costs` is not `epoch` long.
    case costCount(found: Int, epoch: Int64)
    /// What the file declares exceeds ``CheckpointSchema/Limits``: refused before allocating.
    case exceedsLimit(what: String, declared: Int, limit: Int)
    /// The test history (`/training/test_*`) or the best-model record (`best_*`) is inconsistent: `reason` says how.
    case inconsistentRecord(path: String, reason: String)
    /// `input_image_shape` does not multiply out to the input layer's size.
    case imageShapeSize(shape: [Int], inputs: Int)
    /// One of `input_image_shape` and `input_image_resize` without the other.
    case imageAttributesUnpaired(present: String, missing: String)

    public var description: String {
        switch self {
        case .unreadable(let reason): return reason
        case .notALNetCheckpoint: return "not an LNet checkpoint: no format attribute and no /model and /parameters"
        case .notACheckpoint: return "not a checkpoint"
        case .wrongFormat(let found):
            return "attribute format of / is \(found ?? "missing"), expected \"\(Checkpoint.formatName)\""
        case .formatVersionNotAnInteger(let found):
            return "attribute format_version of / is \(found ?? "missing"), expected the integer \(Checkpoint.formatVersion)"
        case .unsupportedFormatVersion(let version):
            return "format_version \(version) is not supported: this lnet reads format version \(Checkpoint.formatVersion)"
        case .settingsChecksumUnreadable(let reason): return "the settings checksum cannot be read: \(reason)"
        case .settingsChecksumMalformed(let found):
            return "attribute \(SettingsChecksum.attributeName) of / is \(found): expected 64 lowercase hexadecimal digits"
        case .settingsChecksumNotComputable(let reason): return "the settings checksum cannot be computed: \(reason)"
        case .settingsChecksumMismatch(let stored, let actual):
            return "the settings checksum does not match: an attribute, /training/costs, /training/rng_key or the test history changed after the file was written (\(SettingsChecksum.attributeName) is \(stored.prefix(12))…, the file now hashes to \(actual.prefix(12))…)"
        case .missing(let path): return "\(path) is missing"
        case .sectionWithoutPartner(let present, let missing): return "\(present) is present but \(missing) is missing"
        case .standardizationUnpaired(let present, let missing): return "/model has \(present) without \(missing)"
        case .attributeMissing(let group, let name): return "attribute \(name) of \(group) is missing"
        case .attributeType(let group, let name, let found, let expected):
            return "attribute \(name) of \(group) is \(found): expected \(expected)"
        case .attributeValue(let group, let name, let found, let rule):
            switch rule {
            case .adamSteps: return "attribute \(name) of \(group) is \(found): the number of Adam updates cannot be negative"
            case .sha256: return "attribute \(name) of \(group) is not 64 hexadecimal digits"
            default: return "attribute \(name) of \(group) is \(found): expected \(Self.expectation(rule))"
            }
        case .activationCount(let found, let layers): return "attribute activations of /model has \(found) entries for \(layers) layers"
        case .hiddenActivation(let layer, let name):
            return "activation \(layer) of /model is \"\(name)\": hidden layers use \(CheckpointSchema.Model.hiddenActivations.sorted().joined(separator: ", "))"
        case .outputActivation(let name): return "the output activation of /model is \"\(name)\": expected sigmoid or softmax"
        case .lossMismatch(let loss, let output, let expected):
            return "attribute loss of /model is \"\(loss)\", but a \(output) output layer needs \"\(expected)\""
        case .sigmoidUnits(let units): return "a sigmoid output layer has 1 unit, but layer_dims gives it \(units)"
        case .softmaxUnits(let units): return "a softmax output layer needs at least 2 units, but layer_dims gives it \(units)"
        case .classCount(let classes, let units): return "/model names \(classes) classes but the softmax layer has \(units) units"
        case .notPositive(let path): return "\(path) has values that are not positive"
        case .shape(let path, let found, let expected):
            return "\(path) has shape \(DatasetFile.format(found)), expected \(DatasetFile.format(expected))"
        case .elementType(let path, let found): return "\(path) holds \(found) values, expected float64"
        case .nonFinite(let path): return "\(path) holds NaN or infinite values"
        case .costCount(let found, let epoch): return "/training/costs holds \(found) costs but epoch is \(epoch)"
        case .exceedsLimit(let what, let declared, let limit):
            return "\(what) is \(declared), more than the \(limit) lnet reads"
        case .inconsistentRecord(let path, let reason): return "\(path) \(reason)"
        case .imageShapeSize(let shape, let inputs):
            return "attribute input_image_shape of /model is \(shape) (\(shape.reduce(1, *)) values) but layer_dims gives the input layer \(inputs) units"
        case .imageAttributesUnpaired(let present, let missing): return "/model has \(present) without \(missing)"
        }
    }

    /// What a rule asks for, after "expected".
    static func expectation(_ rule: CheckpointSchema.Rule) -> String {
        switch rule {
        case .any: "any value"
        case .oneOf(let choices):
            choices.count < 2 ? choices.map { "\"\($0)\"" }.joined()
                : choices.dropLast().joined(separator: ", ") + " or " + (choices.last ?? "")
        case .positive: "a positive number"
        case .fraction: "a number in [0, 1)"
        case .zeroOrMore: "0 or more"
        case .probability: "a probability in (0, 1]"
        case .atLeastOne: "1 or more"
        case .count: "a count, 0 or more"
        case .adamSteps: "0 or more"
        case .generatorPosition: "0 … 624"
        case .sha256: "64 hexadecimal digits"
        case .layerSizes: "at least two positive sizes, input size first"
        case .imageShape: "[height, width, 3], height and width 1 … \(CheckpointSchema.Limits.maximumImageSide)"
        case .flag: "0 or 1"
        }
    }
}
