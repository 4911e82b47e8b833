import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

@Suite("NumpyArrayFormatter")
struct NumpyArrayFormatterTests {
    /// A deterministic spread of magnitudes and signs (no generator needed).
    static func values(_ count: Int, scale: Double, seed: Double = 1) -> [Double] {
        (0..<count).map { index in
            let x = sin(Double(index) * 12.9898 + seed) * 43758.5453
            return (x - x.rounded(.down) - 0.5) * scale
        }
    }

    /// Arrays chosen to hit every branch of numpy's FloatingFormat and
    /// _formatArray: fixed and scientific notation, padding, NaN/±Inf, wrapping
    /// at 75 characters, summarisation on one or several axes, integers, float32.
    static let cases: [(name: String, shape: [Int], values: [Double], type: HDF5ElementType)] = [
        ("small", [2], [0.0123, -3.4], .float64),
        ("whole", [3], [1, 2.5, -0.0], .float64),
        ("tiny", [2, 2], [1e-5, 0.5, -2.25, 0], .float64),
        ("huge", [3], [1.5e8, 2, -3], .float64),
        ("nonfinite", [5], [.nan, 1.5, .infinity, -.infinity, 0.25], .float64),
        ("allnan", [2], [.nan, .nan], .float64),
        ("rounded", [3], [0.123456789123, 1.0 / 3, 2.0 / 3], .float64),
        ("wrap", [30], values(30, scale: 2), .float64),
        ("matrix", [5, 7], values(35, scale: 2.5), .float64),
        ("expmatrix", [4, 9], values(36, scale: 0.01).enumerated().map { $0.element * pow(10, Double($0.offset % 5) - 3) }, .float64),
        ("summary1d", [2000], values(2000, scale: 1), .float64),
        ("summary2d", [40, 50], values(2000, scale: 0.2), .float64),
        ("summaryrows", [1500, 2], values(3000, scale: 10), .float64),
        ("summary3d", [12, 10, 11], values(1320, scale: 1), .float64),
        ("ints", [3, 4], [1, -20, 300, 4, 5, 6, 7, 8, 9, 10, 11, -12], .int64),
        ("float32", [4], [0.1, 0.2, 1.0 / 3, -7.25], .float32),
        ("scalar", [], [3.25], .float64),
    ]

    @Test func matchesNumpyArray2string() throws {
        let scratch = try HDF5Scratch()
        let path = scratch.path("arrays.h5")
        let file = try HDF5File.create(at: path)
        let root = try file.root
        for entry in Self.cases {
            switch entry.type {
            case .int64: _ = try root.createDataset(entry.name, shape: entry.shape, data: entry.values.map { Int64($0) })
            case .float32: _ = try root.createDataset(entry.name, shape: entry.shape, data: entry.values.map { Float($0) })
            default: _ = try root.createDataset(entry.name, shape: entry.shape, data: entry.values)
            }
        }
        try file.close()

        let script = """
            import sys, json, h5py, numpy as np
            out = {}
            with h5py.File(sys.argv[1], "r") as f:
                for name in f:
                    out[name] = np.array2string(f[name][()])
            print(json.dumps(out))
            """
        let output = try Python.run(["-c", script, path])
        let expected = try JSONDecoder().decode([String: String].self, from: Data(output.utf8))

        let reopened = try HDF5File.open(at: path)
        defer { try? reopened.close() }
        for entry in Self.cases {
            let ours = try NumpyArrayFormatter.format(dataset: reopened.dataset(at: "/" + entry.name))
            #expect(ours == expected[entry.name], "\(entry.name):\n\(ours)\nnumpy:\n\(expected[entry.name] ?? "missing")")
        }
    }

    @Test func inMemoryFormatting() {
        #expect(NumpyArrayFormatter.format(doubles: [0.0123, -3.4], shape: [2]) == "[ 0.0123 -3.4   ]")
        #expect(NumpyArrayFormatter.format(doubles: [1e-5, 1], shape: [2]) == "[1.e-05 1.e+00]")
        #expect(NumpyArrayFormatter.format(doubles: [], shape: [0, 3]) == "[]")
        #expect(NumpyArrayFormatter.format(integers: ["1", "-20"], shape: [2]) == "[  1 -20]")
    }
}
