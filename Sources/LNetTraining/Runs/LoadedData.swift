import LNetStorage

/// A dataset file read into memory in the course's layout, prepared the way
/// training (or the checkpoint) says.
struct LoadedData {
    let data: LabeledData
    let xName: String
    let yName: String
    let classes: [String]?
    let classCount: Int
    let fingerprint: String
    let preprocessing: InputPreprocessing

    /// Reads `path`. With `preprocessing` (from a checkpoint or the training
    /// data), applies it; otherwise divides as the file's type asks and, with
    /// `standardize`, fits the means and deviations to this data.
    static func read(
        path: String, x: String?, y: String?, preprocessing: InputPreprocessing?, standardize: Bool
    ) throws -> LoadedData {
        let file = try DatasetFile(path: path, x: x, y: y, requireLabels: true)
        defer { try? file.close() }
        let divisor = preprocessing?.divisor ?? file.inputDivisor
        var features = try file.readFeatures(divisor: divisor)
        let m = file.exampleCount
        let n = file.featureCount
        if let index = features.firstIndex(where: { !$0.isFinite }) {
            let (example, feature) = index.quotientAndRemainder(dividingBy: n)
            throw RunError(
                path: path,
                "x (\(file.xName)) holds \(features[index]) at example \(example), feature \(feature): features must be finite numbers")
        }
        var prepared = preprocessing ?? InputPreprocessing(divisor: divisor)
        if preprocessing == nil, standardize {
            prepared = .standardizing(divisor: divisor, examplesInRows: features, exampleCount: m, featureCount: n)
        }
        if let mean = prepared.mean, mean.count != n {
            throw RunError(path: path, "x has \(n) features but the model standardises \(mean.count)")
        }
        prepared.standardize(examplesInRows: &features, featureCount: n)
        let labels = try file.readLabels()
        let classCount = file.classes?.count ?? max(2, (labels.max() ?? 0) + 1)
        let matrix = try Matrix(rows: m, columns: n, elements: features)
        let data: LabeledData
        do {
            data = try LabeledData(examplesInRows: matrix, labels: labels.map(Int64.init))
        } catch let error as ConfigurationError {
            throw RunError(path: path, error.description)
        }
        return LoadedData(
            data: data, xName: file.xName, yName: file.yName ?? "", classes: file.classes, classCount: classCount,
            fingerprint: try file.fingerprint(), preprocessing: prepared)
    }
}
