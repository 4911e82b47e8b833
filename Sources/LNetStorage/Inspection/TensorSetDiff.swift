import Foundation

/// The numeric tensors of a file by name, whatever its format (an HDF5 checkpoint or dataset file, a `.npz`, a
/// `.safetensors`), with names brought to one vocabulary so that a checkpoint and its exports compare tensor by tensor:
/// the course's names as `lnet convert C.h5 C.npz` writes them (formats/interchange.md, "Names across formats"):
///
/// | course name | checkpoint (.h5) | .npz | .safetensors |
/// | --- | --- | --- | --- |
/// | `W1`, `b1`, … | `/parameters/W1` | `W1` | `0.weight`, `0.bias` (layer l: module 2(l−1)) |
/// | `v_dW1`, … | `/optimizer/v/dW1` | `v_dW1` | `optimizer.0.weight.exp_avg` or `.momentum_buffer` |
/// | `s_dW1`, … | `/optimizer/s/dW1` | `s_dW1` | `optimizer.0.weight.exp_avg_sq` |
/// | `input_mean`, `input_std` | `/model/input_mean` | — | `lnet.input_mean` |
/// | `costs`, `rng_key` | `/training/costs` | — | `lnet.training.costs` |
///
/// Any other tensor keeps its own name (an HDF5 path without its leading `/`). Adam's per-parameter `step` tensors are
/// left out: a checkpoint keeps t as an attribute, not a tensor. A bias `(n,)` and `(n, 1)` are the same shape here.
public struct NamedTensors: Sendable {
    /// One tensor.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Double]
    }

    /// The file, as given.
    public var path: String
    /// The tensors, in name order.
    public var entries: [Entry]

    /// Reads every numeric tensor of the file at `path`; `memoryLimit` bounds the float64 values held.
    public init(path: String, memoryLimit: Int = SafetensorsFile.defaultMemoryLimit) throws {
        self.path = path
        var entries: [Entry]
        if HDF5File.hasSignature(path) {
            entries = try Self.readHDF5(path, memoryLimit: memoryLimit)
        } else if SafetensorsFile.looksLikeSafetensors(path) {
            entries = try Self.readSafetensors(path, memoryLimit: memoryLimit)
        } else if path.lowercased().hasSuffix(".npz") {
            entries = try Self.readNPZ(path, memoryLimit: memoryLimit)
        } else {
            throw StorageError(path: path, problem: "cannot tell the format: diff compares .h5, .safetensors and .npz files")
        }
        entries.sort { $0.name < $1.name }
        self.entries = entries
    }

    private static func budget(_ counts: [Int], path: String, limit: Int) throws {
        var total = 0
        for count in counts {
            let (bytes, o1) = count.multipliedReportingOverflow(by: 8)
            let (sum, o2) = total.addingReportingOverflow(bytes)
            total = o1 || o2 ? Int.max : sum
        }
        guard total <= limit else {
            throw StorageError(path: path, problem: "its tensors need \(total) bytes as float64, more than the \(limit) allowed")
        }
    }

    private static func readHDF5(_ path: String, memoryLimit: Int) throws -> [Entry] {
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        let tree = try HDF5FileTree(describing: file)
        let datasets = tree.objects.filter { $0.kind == .dataset && ($0.elementType?.isNumeric ?? false) }
        try budget(datasets.map { ($0.shape ?? []).reduce(1, { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }) },
                   path: path, limit: memoryLimit)
        return try datasets.map { object in
            let values = try file.dataset(at: object.path).read(as: Double.self)
            return Entry(name: courseName(hdf5Path: object.path), shape: object.shape ?? [], values: values)
        }
    }

    private static func courseName(hdf5Path: String) -> String {
        let parts = hdf5Path.split(separator: "/").map(String.init)
        switch parts.count {
        case 2 where parts[0] == "parameters": return parts[1]
        case 3 where parts[0] == "optimizer" && (parts[1] == "v" || parts[1] == "s"): return "\(parts[1])_\(parts[2])"
        case 2 where parts[0] == "model" && (parts[1] == "input_mean" || parts[1] == "input_std"): return parts[1]
        case 2 where parts[0] == "training" && (parts[1] == "costs" || parts[1] == "rng_key"): return parts[1]
        default: return parts.joined(separator: "/")
        }
    }

    private static func readSafetensors(_ path: String, memoryLimit: Int) throws -> [Entry] {
        let file = try SafetensorsFile.open(path, memoryLimit: memoryLimit)
        let convertible = file.header.entries.filter { $0.dtype.isConvertible }
        try file.checkMemory(for: convertible)
        var entries: [Entry] = []
        for entry in convertible {
            guard let name = courseName(safetensorsName: entry.name) else { continue }
            entries.append(Entry(name: name, shape: entry.shape, values: try file.values(of: entry)))
        }
        return entries
    }

    /// The course name of a safetensors tensor; nil for Adam's `step` tensors (left out).
    static func courseName(safetensorsName name: String) -> String? {
        switch name {
        case SafetensorsInterchange.inputMeanName: return "input_mean"
        case SafetensorsInterchange.inputStdName: return "input_std"
        case SafetensorsInterchange.costsName: return "costs"
        case SafetensorsInterchange.generatorKeyName: return "rng_key"
        default: break
        }
        func parameter(_ module: String) -> String? {
            guard let (prefix, index) = SafetensorsModelReader.moduleIndex(module), prefix.isEmpty, index % 2 == 0 else { return nil }
            return (module.hasSuffix(".weight") ? "W" : "b") + String(index / 2 + 1)
        }
        if name.hasPrefix("optimizer.") {
            let rest = name.dropFirst("optimizer.".count)
            for (key, moment) in [("exp_avg_sq", "s"), ("exp_avg", "v"), ("momentum_buffer", "v"), ("step", "")] where rest.hasSuffix("." + key) {
                guard let course = parameter(String(rest.dropLast(key.count + 1))) else { return name }
                return moment.isEmpty ? nil : "\(moment)_d\(course)"
            }
            return name
        }
        return parameter(name) ?? name
    }

    private static func readNPZ(_ path: String, memoryLimit: Int) throws -> [Entry] {
        let archive = try NPZArchive(path: path)
        let headers = try archive.arrayNames.map { ($0, try archive.header(of: $0)) }
        try budget(headers.map { $0.1.elementCount }, path: path, limit: memoryLimit)
        return try headers.compactMap { name, header in
            let stream = try archive.openArray(name)
            let buffer = try stream.nextElements(header.elementCount)
            let values: [Double]
            switch buffer {
            case .uint8(let v): values = v.map(Double.init)
            case .int8(let v): values = v.map(Double.init)
            case .int16(let v): values = v.map(Double.init)
            case .uint16(let v): values = v.map(Double.init)
            case .int32(let v): values = v.map(Double.init)
            case .uint32(let v): values = v.map(Double.init)
            case .int64(let v): values = v.map(Double.init)
            case .uint64(let v): values = v.map(Double.init)
            case .float32(let v): values = v.map(Double.init)
            case .float64(let v): values = v
            }
            return Entry(name: name, shape: header.shape, values: values)
        }
    }
}

/// `lnet diff` between two files of which at least one is not HDF5: tensor by tensor under ``NamedTensors``'s names,
/// with `FileDiff`'s tolerance rule (`|a − b| ≤ atol + rtol·|b|`, NaN equal to NaN) and its kinds of difference.
public struct TensorSetDiff: Sendable {
    public var fileA: String
    public var fileB: String
    public var absoluteTolerance: Double
    public var relativeTolerance: Double
    public var comparedTensors: Int
    public var differences: [FileDiff.Difference]

    public var isEqual: Bool { differences.isEmpty }

    /// Reads both files and compares them.
    public init(comparing pathA: String, with pathB: String, absoluteTolerance: Double = 0, relativeTolerance: Double = 0) throws {
        fileA = pathA
        fileB = pathB
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        let a = try NamedTensors(path: pathA), b = try NamedTensors(path: pathB)
        let byNameB = Dictionary(b.entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let namesA = Set(a.entries.map(\.name))
        var differences: [FileDiff.Difference] = []
        var compared = 0
        var all: [(NamedTensors.Entry?, NamedTensors.Entry?)] = a.entries.map { ($0, byNameB[$0.name]) }
        all += b.entries.filter { !namesA.contains($0.name) }.map { (nil, $0) }
        all.sort { (($0.0 ?? $0.1)?.name ?? "") < (($1.0 ?? $1.1)?.name ?? "") }
        for pair in all {
            switch pair {
            case (let x?, nil):
                differences.append(FileDiff.Difference(path: x.name, kind: .onlyInA, detail: "only in \(pathA)"))
            case (nil, let y?):
                differences.append(FileDiff.Difference(path: y.name, kind: .onlyInB, detail: "only in \(pathB)"))
            case (let x?, let y?):
                compared += 1
                if let difference = Self.compare(x, y, atol: absoluteTolerance, rtol: relativeTolerance) { differences.append(difference) }
            case (nil, nil):
                break
            }
        }
        comparedTensors = compared
        self.differences = differences
    }

    /// Shapes equal once size-1 dimensions are left out: a bias `(n,)` is `(n, 1)`.
    static func sameShape(_ a: [Int], _ b: [Int]) -> Bool { a.filter { $0 != 1 } == b.filter { $0 != 1 } }

    private static func compare(_ x: NamedTensors.Entry, _ y: NamedTensors.Entry, atol: Double, rtol: Double) -> FileDiff.Difference? {
        guard sameShape(x.shape, y.shape), x.values.count == y.values.count else {
            return FileDiff.Difference(path: x.name, kind: .shape, detail: "shape \(shapeText(x.shape)) in A, \(shapeText(y.shape)) in B")
        }
        var differing = 0
        var maxDifference: Double?
        var maxOffset = 0
        var first: Int?
        for index in x.values.indices {
            let a = x.values[index], b = y.values[index]
            let equal = a == b || (a.isNaN && b.isNaN) || (a - b).magnitude <= atol + rtol * b.magnitude
            if equal { continue }
            differing += 1
            if first == nil { first = index }
            let difference = (a - b).magnitude
            if !difference.isNaN, difference > (maxDifference ?? -1) {
                maxDifference = difference
                maxOffset = index
            }
        }
        guard let first else { return nil }
        let shape = x.shape
        var detail = "\(differing) of \(x.values.count) values differ"
        if let maxDifference { detail += "; max |a-b| = \(maxDifference) at \(indexText(multiIndex(maxOffset, shape)))" }
        detail += "; first at \(indexText(multiIndex(first, shape))): \(x.values[first]) vs \(y.values[first])"
        return FileDiff.Difference(path: x.name, kind: .values, detail: detail)
    }

    private static func multiIndex(_ offset: Int, _ shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = offset
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    private static func indexText(_ index: [Int]) -> String { "[" + index.map(String.init).joined(separator: ", ") + "]" }

    private static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// One line per difference, then a count; empty when equal.
    public func renderText() -> String {
        guard !differences.isEmpty else { return "" }
        var lines = differences.map { "\($0.path): \($0.detail)" }
        let count = differences.count
        lines.append("\(count) difference\(count == 1 ? "" : "s") (\(comparedTensors) tensors in both files; atol \(absoluteTolerance), rtol \(relativeTolerance))")
        return lines.joined(separator: "\n") + "\n"
    }
}
