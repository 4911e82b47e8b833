/// Compares two HDF5 files the way `h5diff` does: the same objects at the
/// same paths, the same kinds, dtypes, shapes and attributes, and values equal
/// within a tolerance.
///
/// Two numbers `a` (from the first file) and `b` (from the second) are equal
/// when `|a − b| ≤ atol + rtol·|b|` (numpy's `isclose`) or when they are the
/// same infinity. A NaN equals nothing, not even a NaN, as in numpy's
/// `isclose` and h5diff; with `nanEqual` (`lnet diff --nan-equal`, numpy's
/// `equal_nan=True`) a NaN equals a NaN, and still nothing else.
///
/// Datasets are read in blocks of rows, so memory stays bounded however large
/// they are. Numbers are compared as `Double` (integers beyond 2^53 lose
/// their last bits, as in h5diff's default float comparison).
///
/// ```swift
/// let diff = try FileDiff(comparing: "a.h5", with: "b.h5", absoluteTolerance: 1e-12)
/// if !diff.isEqual { print(diff.renderText()) }
/// ```
public struct FileDiff: Sendable {
    /// The first file's path, as given.
    public var fileA: String
    /// The second file's path, as given.
    public var fileB: String
    /// `atol`.
    public var absoluteTolerance: Double
    /// `rtol`.
    public var relativeTolerance: Double
    /// Whether a NaN equals a NaN.
    public var nanEqual: Bool
    /// The objects present in both files and compared.
    public var comparedObjects: Int
    /// Every difference, in path order.
    public var differences: [Difference]

    /// Whether the files are equal within the tolerance.
    public var isEqual: Bool { differences.isEmpty }

    /// One way in which the files differ.
    public struct Difference: Hashable, Sendable {
        /// The object's absolute path.
        public var path: String
        /// What differs.
        public var kind: Kind
        /// For `.values`: how.
        public var values: ValueDifference?
        /// A one-line description (without the path).
        public var detail: String

        /// The ways two objects can differ.
        public enum Kind: String, Hashable, Sendable {
            /// The object exists only in the first file.
            case onlyInA = "only in A"
            /// The object exists only in the second file.
            case onlyInB = "only in B"
            /// A group in one file, a dataset in the other.
            case kind
            /// The element types differ.
            case dtype
            /// The shapes differ (values are then not compared).
            case shape
            /// An attribute is missing, of another type or of another value.
            case attribute
            /// Some values differ beyond the tolerance.
            case values
        }
    }

    /// How the values of two datasets of the same shape differ.
    public struct ValueDifference: Hashable, Sendable {
        /// Elements compared.
        public var comparedCount: Int
        /// Elements not equal within the tolerance.
        public var differingCount: Int
        /// The largest |a − b| among them that is a number (`nil` when every
        /// differing pair involves a NaN or differs as strings).
        public var maxAbsoluteDifference: Double?
        /// Where that largest difference is.
        public var maxIndex: [Int]?
        /// The first differing element's index (row-major order) and values.
        public var firstIndex: [Int]
        /// The first file's value there, as text.
        public var firstA: String
        /// The second file's value there, as text.
        public var firstB: String
    }

    /// Opens both files read-only and compares them. Throws when either
    /// cannot be opened or read.
    public init(
        comparing pathA: String, with pathB: String, absoluteTolerance: Double = 0, relativeTolerance: Double = 0,
        nanEqual: Bool = false
    ) throws {
        let a = try HDF5File.open(at: pathA)
        defer { try? a.close() }
        let b = try HDF5File.open(at: pathB)
        defer { try? b.close() }
        fileA = pathA
        fileB = pathB
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.nanEqual = nanEqual
        let treeA = try HDF5FileTree(describing: a)
        let treeB = try HDF5FileTree(describing: b)
        var differences: [Difference] = []
        var compared = 0
        let objectsB = Dictionary(treeB.objects.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let pathsA = Set(treeA.objects.map(\.path))
        let comparer = Comparer(atol: absoluteTolerance, rtol: relativeTolerance, nanEqual: nanEqual)
        var all: [(HDF5FileTree.Object?, HDF5FileTree.Object?)] = treeA.objects.map { ($0, objectsB[$0.path]) }
        all += treeB.objects.filter { !pathsA.contains($0.path) }.map { (nil, $0) }
        all.sort { ($0.0 ?? $0.1)?.path ?? "" < ($1.0 ?? $1.1)?.path ?? "" }
        for pair in all {
            switch pair {
            case (let x?, nil):
                differences.append(Difference(path: x.path, kind: .onlyInA, detail: "only in \(pathA) (a \(x.kind))"))
            case (nil, let y?):
                differences.append(Difference(path: y.path, kind: .onlyInB, detail: "only in \(pathB) (a \(y.kind))"))
            case (let x?, let y?):
                compared += 1
                differences += try comparer.compare(x, y, fileA: a, fileB: b)
            case (nil, nil):
                break
            }
        }
        self.comparedObjects = compared
        self.differences = differences
    }

    /// Where `difference` is, h5ls-style: `FILE/OBJECT`, in the second file
    /// for an object only it has, else in the first (`a.h5/parameters/W1`;
    /// the root group is `a.h5/`).
    public func location(of difference: Difference) -> String {
        let file = difference.kind == .onlyInB ? fileB : fileA
        return file + (difference.path.hasPrefix("/") ? difference.path : "/" + difference.path)
    }

    /// The objects that differ, each once, in path order, as ``location(of:)`` gives them.
    public var differingObjects: [String] {
        var seen = Set<String>()
        return differences.map(location).filter { seen.insert($0).inserted }
    }

    /// One line per difference, `FILE/OBJECT: detail`, then a count; empty
    /// when the files are equal, as `diff` and `h5diff` print nothing then.
    /// `brief`: only the objects that differ, one `FILE/OBJECT` per line.
    public func renderText(brief: Bool = false) -> String {
        guard !differences.isEmpty else { return "" }
        if brief { return differingObjects.joined(separator: "\n") + "\n" }
        var lines = differences.map { "\(location(of: $0)): \($0.detail)" }
        let count = differences.count
        lines.append("\(count) difference\(count == 1 ? "" : "s") (\(comparedObjects) objects in both files; atol \(absoluteTolerance), rtol \(relativeTolerance)\(nanEqual ? ", NaN equals NaN" : ""))")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The comparison of two objects at the same path.
private struct Comparer {
    let atol: Double
    let rtol: Double
    let nanEqual: Bool

    func equal(_ a: Double, _ b: Double) -> Bool {
        if a == b || (nanEqual && a.isNaN && b.isNaN) { return true }
        return (a - b).magnitude <= atol + rtol * b.magnitude
    }

    func compare(_ x: HDF5FileTree.Object, _ y: HDF5FileTree.Object, fileA: HDF5File, fileB: HDF5File) throws -> [FileDiff.Difference] {
        let path = x.path
        guard x.kind == y.kind else {
            return [FileDiff.Difference(path: path, kind: .kind, detail: "a \(x.kind) in A, a \(y.kind) in B")]
        }
        var differences = attributeDifferences(x, y)
        guard x.kind == .dataset else { return differences }
        let typeA = x.elementType, typeB = y.elementType
        if typeA != typeB {
            differences.append(FileDiff.Difference(
                path: path, kind: .dtype, detail: "dtype \(x.dtype ?? "?") in A, \(y.dtype ?? "?") in B"))
        }
        let shapeA = x.shape ?? [], shapeB = y.shape ?? []
        guard shapeA == shapeB else {
            differences.append(FileDiff.Difference(
                path: path, kind: .shape, detail: "shape \(Self.shapeText(shapeA)) in A, \(Self.shapeText(shapeB)) in B"))
            return differences
        }
        let datasetA = try fileA.dataset(at: path), datasetB = try fileB.dataset(at: path)
        var values: FileDiff.ValueDifference?
        if let typeA, let typeB, typeA.isNumeric, typeB.isNumeric {
            values = try numericDifference(datasetA, datasetB, shape: shapeA)
        } else if typeA == .bool, typeB == .bool {
            values = try numericDifference(datasetA, datasetB, shape: shapeA, booleans: true)
        } else if let typeA, let typeB, typeA.isString, typeB.isString {
            values = try stringDifference(datasetA, datasetB, shape: shapeA)
        }
        if let values {
            var detail = "\(values.differingCount) of \(values.comparedCount) values differ"
            if let maxDifference = values.maxAbsoluteDifference, let index = values.maxIndex {
                detail += "; max |a-b| = \(maxDifference) at \(Self.indexText(index))"
            }
            detail += "; first at \(Self.indexText(values.firstIndex)): \(values.firstA) vs \(values.firstB)"
            differences.append(FileDiff.Difference(path: path, kind: .values, values: values, detail: detail))
        }
        return differences
    }

    /// Streams both datasets in the same blocks of rows.
    /// Booleans (h5py's enum, which HDF5 will not convert to numbers) are
    /// read whole as 0/1.
    private func numericDifference(
        _ a: HDF5Dataset, _ b: HDF5Dataset, shape: [Int], booleans: Bool = false
    ) throws -> FileDiff.ValueDifference? {
        var offset = 0
        var differing = 0
        var maxDifference: Double?
        var maxOffset = 0
        var first: (offset: Int, a: Double, b: Double)?
        func visit(_ blockA: [Double], _ blockB: [Double]) {
            for index in 0..<min(blockA.count, blockB.count) {
                let valueA = blockA[index], valueB = blockB[index]
                if equal(valueA, valueB) { continue }
                differing += 1
                if first == nil { first = (offset + index, valueA, valueB) }
                let difference = (valueA - valueB).magnitude
                if !difference.isNaN, difference > (maxDifference ?? -1) {
                    maxDifference = difference
                    maxOffset = offset + index
                }
            }
            offset += blockA.count
        }
        if booleans {
            visit(try a.read(as: Bool.self).map { $0 ? 1 : 0 }, try b.read(as: Bool.self).map { $0 ? 1 : 0 })
        } else if let rows = shape.first {
            let step = DatasetBlocks.rowsPerBlock(shape)
            var start = 0
            while start < rows {
                let end = start + min(step, rows - start)
                visit(try a.readRows(start..<end, as: Double.self), try b.readRows(start..<end, as: Double.self))
                start = end
            }
        } else {
            visit(try a.read(as: Double.self), try b.read(as: Double.self))
        }
        guard let first else { return nil }
        return FileDiff.ValueDifference(
            comparedCount: offset, differingCount: differing, maxAbsoluteDifference: maxDifference,
            maxIndex: maxDifference.map { _ in Self.multiIndex(maxOffset, shape) },
            firstIndex: Self.multiIndex(first.offset, shape), firstA: "\(first.a)", firstB: "\(first.b)")
    }

    /// String datasets are labels and class names: small, read whole.
    private func stringDifference(_ a: HDF5Dataset, _ b: HDF5Dataset, shape: [Int]) throws -> FileDiff.ValueDifference? {
        let valuesA = try a.readStrings(), valuesB = try b.readStrings()
        let differing = zip(valuesA, valuesB).enumerated().filter { $0.element.0 != $0.element.1 }
        guard let first = differing.first else { return nil }
        return FileDiff.ValueDifference(
            comparedCount: min(valuesA.count, valuesB.count), differingCount: differing.count,
            maxAbsoluteDifference: nil, maxIndex: nil, firstIndex: Self.multiIndex(first.offset, shape),
            firstA: JSON.quote(first.element.0), firstB: JSON.quote(first.element.1))
    }

    private func attributeDifferences(_ x: HDF5FileTree.Object, _ y: HDF5FileTree.Object) -> [FileDiff.Difference] {
        var differences: [FileDiff.Difference] = []
        let namesB = Set(y.attributes.map(\.name))
        let byNameB = Dictionary(y.attributes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for attribute in x.attributes {
            guard let other = byNameB[attribute.name] else {
                differences.append(.init(path: x.path, kind: .attribute, detail: "attribute \(attribute.name) only in A"))
                continue
            }
            if let problem = attributeProblem(attribute, other) {
                differences.append(.init(path: x.path, kind: .attribute, detail: "attribute \(attribute.name): \(problem)"))
            }
        }
        let namesA = Set(x.attributes.map(\.name))
        for name in y.attributes.map(\.name) where !namesA.contains(name) && namesB.contains(name) {
            differences.append(.init(path: x.path, kind: .attribute, detail: "attribute \(name) only in B"))
        }
        return differences
    }

    /// Why two attributes of the same name differ, or nil.
    private func attributeProblem(_ a: HDF5FileTree.Attribute, _ b: HDF5FileTree.Attribute) -> String? {
        guard let valueA = a.value, let valueB = b.value else {
            if a.value == nil, b.value == nil { return nil }
            return "\(Self.text(a)) in A, \(Self.text(b)) in B"
        }
        if valueA.elementType != valueB.elementType || valueA.isScalar != valueB.isScalar || valueA.count != valueB.count {
            return "\(valueA.elementType) \(valueA) in A, \(valueB.elementType) \(valueB) in B"
        }
        if valueA.elementType.isNumeric, let numbersA = valueA.doubleArrayValue, let numbersB = valueB.doubleArrayValue {
            return zip(numbersA, numbersB).allSatisfy(equal) ? nil : "\(valueA) in A, \(valueB) in B"
        }
        return valueA == valueB ? nil : "\(valueA) in A, \(valueB) in B"
    }

    private static func text(_ attribute: HDF5FileTree.Attribute) -> String {
        attribute.value.map(\.description) ?? "unreadable"
    }

    static func multiIndex(_ offset: Int, _ shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = offset
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    static func indexText(_ index: [Int]) -> String {
        "[" + index.map(String.init).joined(separator: ", ") + "]"
    }

    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
