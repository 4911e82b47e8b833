extension DatasetFile {
    /// Reads the features of the examples in `runs` (ascending, disjoint
    /// ranges of example indices) with one read, divided by `divisor`
    /// (`inputDivisor` when nil), into `buffer` as row-major
    /// (examples × features), the examples in ascending order.
    ///
    /// This is how a streamed mini-batch is read: its shuffled indices,
    /// sorted and cut into runs of consecutive examples. `buffer` must hold
    /// at least `(Σ run.count) × featureCount` values.
    public func readFeatures(runs: [Range<Int>], into buffer: UnsafeMutableBufferPointer<Double>, divisor: Double? = nil) throws {
        let count = runs.reduce(0) { $0 + $1.count } * featureCount
        try readWideningBooleans(into: buffer, count: count) { try features.readRows(runs: runs, into: $0) } doubles: {
            try features.readRows(runs: runs, into: $0)
        }
        let divisor = divisor ?? inputDivisor
        guard divisor != 1 else { return }
        // A division, as the course's `x / 255.` and `readFeatures`, so the bits match numpy.
        for index in 0..<min(count, buffer.count) { buffer[index] /= divisor }
    }

    /// The bytes x takes in memory as float64 in the course's layout
    /// (n_x · m · 8), or `Int.max` when that does not fit in an `Int`.
    public var inMemoryFeatureBytes: Int {
        // Multiplied with overflow checks: the shape comes from the file.
        var bytes = 8
        for dimension in [exampleCount] + exampleShape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            if overflow { return Int.max }
            bytes = product
        }
        return bytes
    }
}
