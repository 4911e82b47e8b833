import Foundation
import LNetTestSupport
import Testing
@testable import LNetTraining

/// `pairwiseSum` against numpy's own `np.sum`, bit for bit, on the shapes the
/// trainer sums: bias-gradient rows (`np.sum(dZ, axis=1)`) and whole weight
/// matrices (`np.sum(np.square(W))`), across numpy's block boundaries.
@Suite struct PairwiseSumTests {
    @Test func matchesNumpySumBitForBit() throws {
        // (rows, columns): rows summed along the contiguous axis, then the whole array squared and summed.
        let shapes = [(1, 1), (1, 7), (1, 8), (3, 9), (5, 64), (2, 127), (1, 128), (1, 129), (7, 209), (1, 1000), (20, 12288)]
        let script = """
        import sys
        import numpy as np
        for rows, columns in [\(shapes.map { "(\($0.0), \($0.1))" }.joined(separator: ", "))]:
            np.random.seed(rows * 1000 + columns)
            x = np.random.rand(rows, columns) - 0.5
            print(" ".join(v.hex() for v in np.sum(x, axis=1, keepdims=True).ravel()), np.sum(np.square(x)).hex())
        """
        let lines = try Python.run(script: script).split(separator: "\n")
        try #require(lines.count == shapes.count)
        for ((rows, columns), line) in zip(shapes, lines) {
            var generator = NumpyRandom(seed: UInt32(rows * 1000 + columns))
            let x = generator.uniform(count: rows * columns).map { $0 - 0.5 }
            let ours = x.withUnsafeBufferPointer { buffer -> [Double] in
                guard let base = buffer.baseAddress else { return [] }
                let rowSums = (0..<rows).map { pairwiseSum(base + $0 * columns, count: columns) }
                return rowSums + [pairwiseSum(count: rows * columns) { base[$0] * base[$0] }]
            }
            let expected = line.split(separator: " ").compactMap { Double(String($0)) }
            #expect(expected.count == rows + 1)
            #expect(ours.map(\.bitPattern) == expected.map(\.bitPattern), "shape \(rows)×\(columns)")
        }
    }

    @Test func negativeZerosSumToPositiveZeroAsNumpy() throws {
        let numpy = try Python.run(script: "import numpy as np\nprint(np.sum(np.full(8, -0.0)).hex(), np.sum(np.full(3, -0.0)).hex())")
            .split(separator: " ").compactMap { Double(String($0).trimmingCharacters(in: .whitespacesAndNewlines)) }
        let zeros = [Double](repeating: -0.0, count: 8)
        let ours = zeros.withUnsafeBufferPointer { [pairwiseSum($0.baseAddress!, count: 8), pairwiseSum($0.baseAddress!, count: 3)] }
        #expect(numpy.count == 2)
        #expect(ours.map(\.bitPattern) == numpy.map(\.bitPattern))
    }
}
