import Testing
@testable import LNetTraining

@Test func blisReportsAKernel() {
    #expect(!BLAS.kernelName.isEmpty)
}

/// The loop path and BLIS agree for every transpose combination.
@Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
func loopAndBLISProductsAgree(transposeA: Bool, transposeB: Bool) throws {
    var generator = NumpyRandom(seed: 4)
    let (m, n, k) = (7, 5, 9)
    let a = try generator.randn(transposeA ? k : m, transposeA ? m : k)
    let b = try generator.randn(transposeB ? n : k, transposeB ? k : n)
    var fromLoops = [Double](repeating: 1, count: m * n)
    var fromBLIS = [Double](repeating: 1, count: m * n)
    a.elements.withUnsafeBufferPointer { a in
        b.elements.withUnsafeBufferPointer { b in
            fromLoops.withUnsafeMutableBufferPointer { c in
                BLAS.loopGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                              a: a.baseAddress!, lda: a.count / (transposeA ? k : m), b: b.baseAddress!,
                              ldb: b.count / (transposeB ? n : k), beta: 2, c: c.baseAddress!, ldc: n)
            }
            fromBLIS.withUnsafeMutableBufferPointer { c in
                BLAS.blisGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                              a: a.baseAddress!, lda: a.count / (transposeA ? k : m), b: b.baseAddress!,
                              ldb: b.count / (transposeB ? n : k), beta: 2, c: c.baseAddress!, ldc: n)
            }
        }
    }
    let largest = zip(fromLoops, fromBLIS).map { abs($0 - $1) }.max() ?? .infinity
    #expect(largest < 1e-13)
    let product = try Matrix.product(a, b, transposeA: transposeA, transposeB: transposeB)
    #expect(zip(product.elements, fromLoops).allSatisfy { abs($0 * 0.5 + 2 - $1) < 1e-13 })
}

/// The loop kernels (β = 0, the trainer's case) on small shapes, every remainder of
/// the four-at-a-time dW loop: each output must be, bit for bit, its products summed
/// in inner-index order and then scaled, whichever loop nest computed it; and close
/// to BLIS.
@Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
func loopProductsSumInInnerOrder(transposeA: Bool, transposeB: Bool) throws {
    var generator = NumpyRandom(seed: 6)
    for (m, n, k) in [(7, 5, 9), (5, 2, 64), (2, 5, 64), (1, 2, 64), (3, 3, 7), (1, 1, 5), (4, 1, 3), (3, 19, 4), (2, 64, 5), (5, 17, 2)] {
        let a = try generator.randn(transposeA ? k : m, transposeA ? m : k)
        let b = try generator.randn(transposeB ? n : k, transposeB ? k : n)
        let (lda, ldb) = (a.columns, b.columns)
        var expected = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a.elements[p * lda + i] : a.elements[i * lda + p]
                    let y = transposeB ? b.elements[j * ldb + p] : b.elements[p * ldb + j]
                    sum += x * y
                }
                expected[i * n + j] = 0.5 * sum
            }
        }
        var fromLoops = [Double](repeating: .nan, count: m * n)
        var fromBLIS = [Double](repeating: .nan, count: m * n)
        a.elements.withUnsafeBufferPointer { a in
            b.elements.withUnsafeBufferPointer { b in
                fromLoops.withUnsafeMutableBufferPointer { c in
                    BLAS.loopGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                                  a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: 0, c: c.baseAddress!, ldc: n)
                }
                fromBLIS.withUnsafeMutableBufferPointer { c in
                    BLAS.blisGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                                  a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        #expect(fromLoops.map(\.bitPattern) == expected.map(\.bitPattern), "\(m)×\(n)×\(k)")
        #expect(zip(fromLoops, fromBLIS).allSatisfy { abs($0 - $1) < 1e-12 }, "\(m)×\(n)×\(k)")
    }
}

/// A cat-sized product gives the same bits every time and with 1 or 2 threads.
@Test func largeProductsAreDeterministic() throws {
    var generator = NumpyRandom(seed: 5)
    let w = try generator.randn(20, 3000)
    let x = try generator.randn(3000, 60)
    BLAS.setThreads(1)
    let single = try Matrix.product(w, x)
    BLAS.setThreads(2)
    let first = try Matrix.product(w, x)
    let second = try Matrix.product(w, x)
    #expect(first == second)
    #expect(first == single)
    #expect(throws: MatrixError.self) { try Matrix.product(w, w) }
}
