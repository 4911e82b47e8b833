/// A dense Float64 matrix stored row by row.
///
/// LNet follows the course's shapes: `W[l]` is `(n_l, n_{l-1})`, `b[l]` is `(n_l, 1)`,
/// and a data set `X` is `(n_x, m)` with one example per column, so each stored row
/// holds one feature across all examples.
public struct Matrix: Sendable, Equatable, Hashable, Codable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The elements in row-major order: element `(r, c)` is `elements[r * columns + c]`.
    public private(set) var elements: [Double]

    /// Wraps `elements` (row-major) as a `rows × columns` matrix.
    public init(rows: Int, columns: Int, elements: [Double]) throws {
        guard rows >= 0, columns >= 0 else {
            throw MatrixError(description: "a matrix cannot have \(rows) rows and \(columns) columns")
        }
        guard elements.count == rows * columns else {
            throw MatrixError(description: "a \(rows)×\(columns) matrix needs \(rows * columns) elements, got \(elements.count)")
        }
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    private enum CodingKeys: String, CodingKey { case rows, columns, elements }

    /// Decodes and checks that the elements fill the shape exactly (a checkpoint is input).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(rows: try container.decode(Int.self, forKey: .rows),
                      columns: try container.decode(Int.self, forKey: .columns),
                      elements: try container.decode([Double].self, forKey: .elements))
    }

    /// A `rows × columns` matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.rows = max(rows, 0)
        self.columns = max(columns, 0)
        self.elements = [Double](repeating: value, count: self.rows * self.columns)
    }

    /// Builds a matrix from its rows; all rows must have the same length.
    public init(_ rowArrays: [[Double]]) throws {
        let width = rowArrays.first?.count ?? 0
        guard rowArrays.allSatisfy({ $0.count == width }) else {
            throw MatrixError(description: "the rows of a matrix must all have the same length")
        }
        try self.init(rows: rowArrays.count, columns: width, elements: rowArrays.flatMap { $0 })
    }

    /// Element `(row, column)`.
    public subscript(row: Int, column: Int) -> Double {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// `(rows, columns)`, as numpy's `shape`.
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    /// The transpose (a copy).
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        elements.withUnsafeBufferPointer { source in
            result.elements.withUnsafeMutableBufferPointer { destination in
                guard let from = source.baseAddress, let to = destination.baseAddress else { return }
                transpose(from, rows: rows, columns: columns, into: to)
            }
        }
        return result
    }

    /// Sum of all elements, as `np.sum` sums them (pairwise).
    public var sum: Double {
        elements.withUnsafeBufferPointer { values in pairwiseSum(count: values.count) { values[$0] } }
    }

    /// Sum of the squared elements, as `np.sum(np.square(W))` sums them (pairwise).
    public var sumOfSquares: Double {
        elements.withUnsafeBufferPointer { values in pairwiseSum(count: values.count) { values[$0] * values[$0] } }
    }

    /// Gives the body mutable access to the storage without copying.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Double>) throws -> R
    ) rethrows -> R {
        try elements.withUnsafeMutableBufferPointer(body)
    }

    /// `op(a) · op(b)` where `op` transposes when asked, through ``BLAS/gemm``.
    public static func product(
        _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false
    ) throws -> Matrix {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kB, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        guard k == kB else {
            throw MatrixError(description: "cannot multiply \(m)×\(k) by \(kB)×\(n)")
        }
        var result = Matrix(rows: m, columns: n)
        a.elements.withUnsafeBufferPointer { aBuffer in
            b.elements.withUnsafeBufferPointer { bBuffer in
                result.elements.withUnsafeMutableBufferPointer { cBuffer in
                    guard let aBase = aBuffer.baseAddress, let bBase = bBuffer.baseAddress,
                          let cBase = cBuffer.baseAddress else { return }
                    BLAS.gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        alpha: 1, a: aBase, lda: a.columns, b: bBase, ldb: b.columns,
                        beta: 0, c: cBase, ldc: n)
                }
            }
        }
        return result
    }

    /// `a · b`.
    public static func * (a: Matrix, b: Matrix) throws -> Matrix {
        try product(a, b)
    }
}

/// A matrix whose shape and contents do not fit together.
public struct MatrixError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let description: String
}

/// Writes the transpose of the row-major `rows × columns` matrix at `source` to
/// `destination` (`columns × rows`), in tiles so that reads and writes both stay
/// within a few cache lines (X can be gigabytes).
func transpose<Element>(_ source: UnsafePointer<Element>, rows: Int, columns: Int,
                        into destination: UnsafeMutablePointer<Element>) {
    let tile = 32
    for rowStart in stride(from: 0, to: rows, by: tile) {
        for columnStart in stride(from: 0, to: columns, by: tile) {
            for row in rowStart..<min(rowStart + tile, rows) {
                for column in columnStart..<min(columnStart + tile, columns) {
                    destination[column * rows + row] = source[row * columns + column]
                }
            }
        }
    }
}
