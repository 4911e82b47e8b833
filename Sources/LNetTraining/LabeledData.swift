/// A labelled data set in the course's layout: `features` is `(n_x, m)`, one example
/// per column; `labels[j]` is example `j`'s class (0/1 for sigmoid, `0…C−1` for softmax).
public struct LabeledData: Sendable, Equatable {
    /// `X`, `(n_x, m)`.
    public let features: Matrix
    /// `Y` as class indices, `m` of them.
    public let labels: [Int64]

    /// Checks that there is one label per example and that every feature is finite.
    public init(features: Matrix, labels: [Int64]) throws {
        guard features.columns == labels.count else {
            throw ConfigurationError("the features have \(features.columns) examples (columns) but there are \(labels.count) labels")
        }
        guard features.columns > 0, features.rows > 0 else {
            throw ConfigurationError("the data set is empty (\(features.rows) features × \(features.columns) examples)")
        }
        if let index = features.elements.firstIndex(where: { !$0.isFinite }) {
            let (row, column) = index.quotientAndRemainder(dividingBy: features.columns)
            throw ConfigurationError("feature \(row) of example \(column) is \(features.elements[index]); features must be finite numbers")
        }
        self.features = features
        self.labels = labels
    }

    /// Builds the data set from examples given one per row (`(m, n_x)`, like sklearn's `X`).
    public init(examplesInRows x: Matrix, labels: [Int64]) throws {
        try self.init(features: x.transposed, labels: labels)
    }

    /// `n_x`.
    public var featureCount: Int { features.rows }
    /// `m`.
    public var exampleCount: Int { features.columns }

    /// Throws unless every label is a class index below `classCount`.
    func validateLabels(classCount: Int) throws {
        if let index = labels.firstIndex(where: { $0 < 0 || $0 >= Int64(classCount) }) {
            throw ConfigurationError("label \(labels[index]) of example \(index) is out of range: this network predicts classes 0…\(classCount - 1)")
        }
    }
}
