import Foundation

/// Everything `lnet inspect FILE [OBJECT] [--stats] [--json]` shows, gathered
/// once and rendered as text or JSON.
///
/// - Any HDF5 file: the tree of groups, datasets and attributes; with
///   statistics, min/max/mean/std/L2 norm and NaN/Inf counts of every numeric
///   dataset.
/// - An LNet checkpoint: first a `CheckpointSummary` (architecture, optimizer,
///   position in training, data) and its tensors.
/// - One object: a dataset's values printed as numpy prints them, or a
///   group's subtree.
///
/// The JSON keeps the first version's `{"file", "objects"}` and only adds
/// keys: `"checkpoint"`, `"stats"` per object, and for one dataset
/// `"object"` and `"values"`.
public struct InspectionReport: Sendable {
    /// The file's tree (only the object's subtree when one is asked for).
    public var tree: HDF5FileTree
    /// Set for a checkpoint inspected as a whole.
    public var checkpoint: CheckpointSummary?
    /// Statistics by dataset path, with `--stats`.
    public var statistics: [String: TensorStatistics]
    /// The object asked for, as an absolute path.
    public var object: String?
    /// The dataset's values in numpy's notation, when the object is a dataset.
    public var numpyText: String?
    /// The dataset's values as nested JSON arrays, when the object is a dataset.
    var valuesJSON: JSON?
    /// The dataset check, for a dataset file inspected as a whole (formats/dataset.md).
    public var datasetCheck: DatasetCheck?
    /// Why a file that looks like a dataset cannot be trained on (the check could not be made), when it cannot.
    public var datasetProblem: String?

    /// An object that does not exist in the file.
    public struct NoSuchObject: Error, CustomStringConvertible, Sendable {
        /// The path of the inspected file.
        public let file: String
        /// The object asked for, normalized to an absolute path without a trailing `/`.
        public let object: String
        /// `file has no object object`, the one line the CLI prints.
        public var description: String { "\(file) has no object \(object)" }
    }

    /// Reads what the report needs: the tree, the checkpoint summary (when
    /// the whole file is inspected and it is a checkpoint), the statistics
    /// when asked, and the values of `object` when it is a dataset.
    public init(path: String, object: String? = nil, statistics: Bool = false, testPath: String? = nil) throws {
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        var tree = try HDF5FileTree(describing: file)
        var normalized: String?
        if let object {
            var name = object.hasPrefix("/") ? object : "/" + object
            while name.count > 1, name.hasSuffix("/") { name.removeLast() }
            guard let found = tree.objects.first(where: { $0.path == name }) else {
                throw NoSuchObject(file: path, object: name)
            }
            normalized = name
            tree.objects = tree.objects.filter { $0.path == name || (name == "/" || $0.path.hasPrefix(name + "/")) }
            if found.kind == .dataset {
                let dataset = try file.dataset(at: name)
                numpyText = try NumpyArrayFormatter.format(dataset: dataset)
                valuesJSON = try Self.values(of: dataset)
            }
        }
        self.object = normalized
        self.tree = tree
        if normalized == nil, try CheckpointSummary.isCheckpoint(file) {
            checkpoint = try CheckpointSummary(reading: file, statistics: statistics)
        } else if normalized == nil, DatasetCheck.looksLikeDataset(file) {
            // What the check cannot read is reported in it; the tree is still shown. A test file
            // that cannot be used is the command's error.
            do {
                datasetCheck = try DatasetCheck(path: path, testPath: testPath)
            } catch let error as DatasetError where error.path == path {
                datasetProblem = error.problem
            } catch let error as DatasetError {
                throw error
            } catch {
                datasetProblem = "\(error)"
            }
        }
        var table: [String: TensorStatistics] = [:]
        if statistics {
            for tensor in checkpoint?.tensors ?? [] { table[tensor.path] = tensor.statistics }
            for entry in tree.objects where entry.kind == .dataset && table[entry.path] == nil {
                // NaN and Inf are counted, never refused: finding them is the point.
                guard entry.elementType?.isNumeric == true else { continue }
                table[entry.path] = try TensorStatistics(of: file.dataset(at: entry.path))
            }
        }
        self.statistics = table
    }

    /// The text `lnet inspect` prints.
    public func renderText() -> String {
        if let numpyText {
            var text = numpyText + "\n"
            if let object, let stats = statistics[object] { text += stats.summaryText + "\n" }
            return text
        }
        if let checkpoint {
            return checkpoint.renderText(file: tree.file)
        }
        var text = tree.renderText(statistics: statistics)
        if let datasetCheck { text += datasetCheck.renderText() }
        if let datasetProblem { text += "\nDataset check\n  error: \(datasetProblem)\n" }
        return text
    }

    /// The JSON `lnet inspect --json` prints.
    public func renderJSON() -> String {
        var fields: [(String, JSON)] = [("file", .string(tree.file)), ("objects", tree.objectsJSON(statistics: statistics))]
        if let checkpoint { fields.append(("checkpoint", checkpoint.json)) }
        if let datasetCheck { fields.append(("dataset", datasetCheck.json)) }
        if let datasetProblem { fields.append(("dataset_problem", .string(datasetProblem))) }
        if let object { fields.append(("object", .string(object))) }
        if let valuesJSON { fields.append(("values", valuesJSON)) }
        return JSON.object(fields).rendered(indent: 0) + "\n"
    }

    /// A dataset's values nested by its shape (NaN and Inf as null).
    static func values(of dataset: HDF5Dataset) throws -> JSON? {
        let type = try dataset.elementType
        let shape = try dataset.shape
        let flat: [JSON]
        if type.isInteger, type != .uint64 {
            flat = try dataset.read(as: Int64.self).map { .int(Int($0)) }
        } else if type.isNumeric {
            flat = try dataset.read(as: Double.self).map(JSON.double)
        } else if type == .bool {
            flat = try dataset.read(as: Bool.self).map(JSON.bool)
        } else if type.isString {
            flat = try dataset.readStrings().map(JSON.string)
        } else {
            return nil
        }
        guard !shape.isEmpty else { return flat.first ?? .null }
        func nest(_ axis: Int, _ start: Int, _ stride: Int) -> JSON {
            let inner = stride / max(shape[axis], 1)
            if axis == shape.count - 1 { return .array(Array(flat[start..<min(start + shape[axis], flat.count)])) }
            return .array((0..<shape[axis]).map { nest(axis + 1, start + $0 * inner, inner) })
        }
        return nest(0, 0, flat.count)
    }
}
