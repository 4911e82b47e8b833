import Foundation

/// What `lnet inspect D.h5` checks in a dataset file (formats/dataset.md)
/// before anyone trains on it: its size and dtype, the class histogram (beside
/// a test file's), NaN and infinite features, how far the features' scales
/// spread, and whether x was stored features-first, the course's `(n_x, m)`
/// kept as it is.
///
/// x is read in blocks of rows, so memory stays bounded by a block and a few
/// numbers per feature, however many examples there are; y is read whole (one
/// integer per example).
public struct DatasetCheck: Sendable {
    /// The features' dataset.
    public var xName: String
    /// The labels' dataset, when the file has one.
    public var yName: String?
    /// x's numpy dtype.
    public var dtype: String
    /// x's stored shape.
    public var shape: [Int]
    /// The number of examples m (for a features-first x: y's length).
    public var exampleCount: Int
    /// Features per example n_x.
    public var featureCount: Int
    /// The class names (`classes` or `list_classes`), when present.
    public var classes: [String]?
    /// Examples per class id (index = class id); nil without labels.
    public var classCounts: [Int]?
    /// The same for the test file, with `test`.
    public var test: TestSide?
    /// NaN values in x.
    public var nanCount: Int
    /// Infinite values in x.
    public var infinityCount: Int
    /// The spread of the features' standard deviations (over finite values), when x could be read.
    public var scales: FeatureScales?
    /// Things that will go wrong when training on the file.
    public var warnings: [String]
    /// Advice that may help (`--standardize`).
    public var hints: [String]
    /// Whether x looks features-first (then x's values were not read: m and n_x are y's length and x's first
    /// dimension).
    public var looksFeaturesFirst = false

    /// The class histogram of a test file (`lnet inspect D.h5 --test T.h5`).
    public struct TestSide: Sendable {
        /// Its path, as given.
        public var path: String
        /// Its number of examples.
        public var exampleCount: Int
        /// Examples per class id.
        public var classCounts: [Int]
    }

    /// How the features' standard deviations (each over the examples, of the stored values) spread.
    public struct FeatureScales: Sendable {
        /// The smallest standard deviation of a non-constant feature.
        public var smallest: Double
        /// The median over all features.
        public var median: Double
        /// The largest.
        public var largest: Double
        /// Features whose value never changes.
        public var constantCount: Int
        /// largest / smallest (non-constant features); nil with fewer than two of them.
        public var ratio: Double? { smallest > 0 && largest > smallest ? largest / smallest : (smallest > 0 ? 1 : nil) }
    }

    /// A ratio of largest to smallest standard deviation above this draws the `--standardize` hint.
    public static let scaleRatioHint = 100.0
    /// Bytes of x read per block.
    static let blockBytes = 8 << 20

    /// Whether `path` looks like a dataset to check: a file whose top level holds `x`, or a `*_x` dataset.
    public static func looksLikeDataset(_ file: HDF5File) -> Bool {
        guard let names = try? file.root.members().filter({ $0.kind == .dataset }).map(\.name) else { return false }
        return names.contains("x") || names.contains { $0.hasSuffix("_x") }
    }

    /// Checks the dataset file at `path` (and the test file at `testPath`).
    public init(path: String, testPath: String? = nil) throws {
        warnings = []
        hints = []
        let dataset: DatasetFile
        do {
            dataset = try DatasetFile(path: path, requireLabels: false)
        } catch let error as DatasetError {
            // The one shape mistake the check exists for: x stored (n_x, m), so y's length
            // matches x's last dimension rather than its first.
            guard let flipped = try Self.featuresFirst(path: path) else { throw error }
            self = flipped
            return
        }
        defer { try? dataset.close() }
        xName = dataset.xName
        yName = dataset.yName
        dtype = dataset.featureType.numpyName
        shape = [dataset.exampleCount] + dataset.exampleShape
        exampleCount = dataset.exampleCount
        featureCount = dataset.featureCount
        classes = dataset.classes
        test = nil
        classCounts = dataset.hasLabels ? Self.histogram(try dataset.readLabels(), classes: dataset.classes) : nil
        (nanCount, infinityCount, scales) = try Self.featureStatistics(dataset)
        if let testPath {
            let other = try DatasetFile(path: testPath, requireLabels: true, selection: .test)
            defer { try? other.close() }
            if other.featureCount != featureCount {
                warnings.append("the test file has \(other.featureCount) features per example, the training file \(featureCount)")
            }
            let counts = Self.histogram(try other.readLabels(), classes: other.classes ?? classes)
            test = TestSide(path: testPath, exampleCount: other.exampleCount, classCounts: counts)
        }
        if nanCount > 0 || infinityCount > 0 {
            warnings.append("x holds \(nanCount) NaN and \(infinityCount) infinite values: training refuses non-finite features")
        }
        if let ratio = scales?.ratio, ratio > Self.scaleRatioHint {
            hints.append("the features' standard deviations range from \(Self.short(scales?.smallest ?? 0)) to \(Self.short(scales?.largest ?? 0)) (× \(Self.short(ratio))): train with --standardize")
        }
        if let counts = classCounts, counts.contains(0) {
            let empty = counts.indices.filter { counts[$0] == 0 }.map { Self.className($0, classes) }
            warnings.append("no example of class \(empty.joined(separator: ", ")) in y")
        }
    }

    private init(features: (x: String, y: String, shape: [Int], dtype: String, labelCount: Int), classes: [String]?) {
        xName = features.x
        yName = features.y
        dtype = features.dtype
        shape = features.shape
        exampleCount = features.labelCount
        featureCount = features.shape.first ?? 0
        self.classes = classes
        classCounts = nil
        test = nil
        nanCount = 0
        infinityCount = 0
        scales = nil
        hints = []
        looksFeaturesFirst = true
        let (nx, m) = (features.shape.first ?? 0, features.shape.last ?? 0)
        warnings = ["x (\(features.x)) has shape (\(nx), \(m)) and y (\(features.y)) has \(m) labels: x looks features-first, the course's X of shape (n_x, m) stored as it is. Datasets are stored examples-first: store x.T (numpy: f[\"x\"] = X.T), shape (\(m), \(nx))"]
    }

    /// The check of a file whose 2-D x has y's length as its last dimension and not its first; nil for any other
    /// file.
    private static func featuresFirst(path: String) throws -> DatasetCheck? {
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        let names = try file.root.members().filter { $0.kind == .dataset }.map(\.name)
        guard let resolved = try? DatasetNaming.resolve(names: names, x: nil, y: nil, requireLabels: true, kind: "dataset",
                                                        exists: file.exists),
              let yName = resolved.y
        else { return nil }
        let x = try file.dataset(at: resolved.x)
        let shape = try x.shape
        let labelCount = try file.dataset(at: yName).count
        guard shape.count == 2, shape[1] == labelCount, shape[0] != labelCount else { return nil }
        let classes = names.contains("classes") ? try? file.dataset(at: "classes").readStrings() : nil
        return DatasetCheck(
            features: (resolved.x, yName, shape, try x.elementType.numpyName, labelCount), classes: classes)
    }

    /// Counts per class id, as many as `classes` names (or the largest id + 1).
    static func histogram(_ labels: [Int], classes: [String]?) -> [Int] {
        var counts = [Int](repeating: 0, count: max(classes?.count ?? 0, (labels.max() ?? -1) + 1))
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// NaN and infinity counts and the spread of per-feature standard deviations, in one pass over x in blocks
    /// (Chan's pairwise update of each feature's mean and sum of squared deviations, so that it matches numpy's
    /// two-pass `std` to the last few bits rather than losing them as Σx² − (Σx)²/m would).
    static func featureStatistics(_ dataset: DatasetFile) throws -> (Int, Int, FeatureScales?) {
        let n = dataset.featureCount
        let m = dataset.exampleCount
        let rowsPerBlock = max(1, min(m, blockBytes / max(8 * n, 1)))
        var count = [Int](repeating: 0, count: n)
        var mean = [Double](repeating: 0, count: n)
        var squares = [Double](repeating: 0, count: n)
        var blockCount = [Int](repeating: 0, count: n)
        var blockMean = [Double](repeating: 0, count: n)
        var (nan, infinite) = (0, 0)
        var start = 0
        while start < m {
            let end = min(m, start + rowsPerBlock)
            let values = try dataset.readFeatures(examples: start..<end, divisor: 1)
            let rows = end - start
            for feature in 0..<n { blockCount[feature] = 0; blockMean[feature] = 0 }
            // The block's own mean, then its squared deviations, per feature.
            for row in 0..<rows {
                let base = row * n
                for feature in 0..<n {
                    let value = values[base + feature]
                    if value.isNaN { nan += 1; continue }
                    if value.isInfinite { infinite += 1; continue }
                    blockCount[feature] += 1
                    blockMean[feature] += value
                }
            }
            for feature in 0..<n where blockCount[feature] > 0 { blockMean[feature] /= Double(blockCount[feature]) }
            var blockSquares = [Double](repeating: 0, count: n)
            for row in 0..<rows {
                let base = row * n
                for feature in 0..<n {
                    let value = values[base + feature]
                    guard value.isFinite else { continue }
                    let deviation = value - blockMean[feature]
                    blockSquares[feature] += deviation * deviation
                }
            }
            for feature in 0..<n where blockCount[feature] > 0 {
                let (a, b) = (Double(count[feature]), Double(blockCount[feature]))
                let delta = blockMean[feature] - mean[feature]
                let total = a + b
                mean[feature] += delta * b / total
                squares[feature] += blockSquares[feature] + delta * delta * a * b / total
                count[feature] += blockCount[feature]
            }
            start = end
        }
        let deviations = (0..<n).compactMap { feature -> Double? in
            count[feature] > 0 ? (squares[feature] / Double(count[feature])).squareRoot() : nil
        }
        guard !deviations.isEmpty else { return (nan, infinite, nil) }
        let sorted = deviations.sorted()
        let varying = sorted.filter { $0 > 0 }
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        let scales = FeatureScales(
            smallest: varying.first ?? 0, median: median, largest: sorted.last ?? 0,
            constantCount: sorted.count - varying.count)
        return (nan, infinite, scales)
    }

    static func className(_ id: Int, _ classes: [String]?) -> String {
        if let classes, id < classes.count { return "\(id) (\(classes[id]))" }
        return "\(id)"
    }

    static func short(_ value: Double) -> String { String(format: "%.6g", value) }

    // MARK: Rendering

    /// The text `lnet inspect` prints after the tree.
    public func renderText() -> String {
        var lines = ["", "Dataset check"]
        func row(_ label: String, _ value: String) { lines.append("  " + label.padding(toLength: 15, withPad: " ", startingAt: 0) + value) }
        row("x", "\(xName), \(dtype), shape \(DatasetFile.format(shape))")
        row("m", "\(exampleCount)")
        row("n_x", "\(featureCount)")
        row("y", yName ?? "none")
        if let counts = classCounts {
            let total = max(counts.reduce(0, +), 1)
            let testTotal = max(test?.classCounts.reduce(0, +) ?? 0, 1)
            let names = counts.indices.map { Self.className($0, classes) }
            let width = max(5, names.map(\.count).max() ?? 0)
            var header = "  " + "class".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "train".padding(toLength: 18, withPad: " ", startingAt: 0)
            if test != nil { header += "test" }
            lines.append(header.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
            let rows = max(counts.count, test?.classCounts.count ?? 0)
            for id in 0..<rows {
                let name = Self.className(id, classes)
                let train = id < counts.count ? counts[id] : 0
                var line = "  " + name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                    + "\(train) (\(String(format: "%.1f", 100 * Double(train) / Double(total)))%)".padding(toLength: 18, withPad: " ", startingAt: 0)
                if let test {
                    let count = id < test.classCounts.count ? test.classCounts[id] : 0
                    line += "\(count) (\(String(format: "%.1f", 100 * Double(count) / Double(testTotal)))%)"
                }
                lines.append(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
            }
        }
        if let test { row("test m", "\(test.exampleCount) (\(test.path))") }
        if !looksFeaturesFirst { row("NaN / Inf", "\(nanCount) / \(infinityCount)") }
        if let scales {
            row("feature std", "min \(Self.short(scales.smallest)), median \(Self.short(scales.median)), max \(Self.short(scales.largest))"
                + (scales.constantCount > 0 ? "; \(scales.constantCount) constant feature\(scales.constantCount == 1 ? "" : "s")" : ""))
        }
        lines += warnings.map { "  warning: " + $0 }
        lines += hints.map { "  hint: " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `"dataset"` object of `lnet inspect --json`.
    public var json: JSON {
        let scalesJSON: JSON = scales.map { scales in
            .object([
                ("min", .double(scales.smallest)), ("median", .double(scales.median)), ("max", .double(scales.largest)),
                ("ratio", scales.ratio.map(JSON.double) ?? .null), ("constant_features", .int(scales.constantCount)),
            ])
        } ?? .null
        let testJSON: JSON = test.map { test in
            .object([("path", .string(test.path)), ("m", .int(test.exampleCount)),
                     ("class_counts", .array(test.classCounts.map(JSON.int)))])
        } ?? .null
        return .object([
            ("x", .string(xName)), ("y", yName.map(JSON.string) ?? .null), ("dtype", .string(dtype)),
            ("shape", .array(shape.map(JSON.int))), ("m", .int(exampleCount)), ("n_x", .int(featureCount)),
            ("classes", classes.map { .array($0.map(JSON.string)) } ?? .null),
            ("class_counts", classCounts.map { .array($0.map(JSON.int)) } ?? .null), ("test", testJSON),
            ("nan_count", .int(nanCount)), ("inf_count", .int(infinityCount)), ("feature_std", scalesJSON),
            ("features_first", .bool(looksFeaturesFirst)),
            ("warnings", .array(warnings.map(JSON.string))), ("hints", .array(hints.map(JSON.string))),
        ])
    }
}
