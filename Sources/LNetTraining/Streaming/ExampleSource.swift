/// Where a training session's examples come from when they are not one
/// `(n_x, m)` matrix in memory: a streamed dataset file, for instance.
///
/// A session asks for one mini-batch at a time, by the examples' indices in
/// the epoch's shuffled order, and hands the source its own batch buffer, so
/// a source only has to hold what one batch needs. The features it delivers
/// must be prepared exactly as the in-memory path prepares them (divided,
/// then standardised), so that training gives the same bits.
public protocol ExampleSource: AnyObject {
    /// n_x, the features per example.
    var featureCount: Int { get }
    /// m, the number of examples.
    var exampleCount: Int { get }
    /// Every example's class id, `m` of them (the per-example bookkeeping a
    /// session keeps in memory).
    var labels: [Int64] { get }

    /// Writes the prepared features of the examples `indices` (each in
    /// `0..<exampleCount`, no repeats) as the columns of a row-major
    /// `featureCount × indices.count` matrix at `destination`: example
    /// `indices[j]` becomes column `j`.
    func gatherColumns(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Double>) throws
}

/// An ``ExampleSource`` that also writes a float32 run's batch itself: each value is the
/// float64 one ``ExampleSource/gatherColumns(_:into:)`` would write, rounded to float32,
/// so the run gets the same bits without a batch of doubles in between.
public protocol Float32ExampleSource: ExampleSource {
    /// As ``ExampleSource/gatherColumns(_:into:)``, each value rounded to the nearest float32.
    func gatherColumns(_ indices: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) throws
}
