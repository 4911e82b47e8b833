import CBLIS
import Foundation

/// The BLAS that LNet's matrix products run on (BLIS, through CBLAS), plus the
/// plain-loop path for matrices too small to be worth a BLAS call.
public enum BLAS {
    /// The kernel set BLIS picked for this processor at run time, e.g. `skx`.
    public static var kernelName: String {
        guard let name = bli_arch_string(bli_arch_query_id()) else { return "unknown" }
        return String(cString: name)
    }

    /// Products with fewer multiply-adds than this (`m·n·k`) run as plain Swift loops.
    ///
    /// Measured in `benchmarks/training/README.md`: below about this size the fixed cost
    /// of a BLIS call (argument checks, packing, thread hand-off) exceeds the work.
    public static let loopThreshold = 4_096

    /// BLIS starts single-threaded unless the environment says otherwise; LNet's
    /// default is every core. Applied once, before the first product or thread change.
    private static let defaultThreadsApplied: Bool = {
        bli_thread_set_num_threads(ProcessInfo.processInfo.activeProcessorCount)
        return true
    }()

    /// Sets how many threads BLIS uses for the products that follow.
    ///
    /// Results are bit-identical run after run for a given thread count: BLIS splits
    /// the output among threads but never the inner (summed) dimension.
    public static func setThreads(_ count: Int) {
        _ = defaultThreadsApplied
        bli_thread_set_num_threads(max(1, count))
    }

    /// The number of threads BLIS currently uses.
    public static var threads: Int {
        _ = defaultThreadsApplied
        return bli_thread_get_num_threads()
    }

    /// Row-major `C = alpha · op(A) · op(B) + beta · C` with `op(A)` `m×k`, `op(B)` `k×n`.
    ///
    /// `lda`, `ldb`, `ldc` are the row lengths of the stored A, B and C.
    /// Small products (see ``loopThreshold``) skip BLIS.
    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if m * n * k < loopThreshold {
            loopGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                     alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            blisGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                     alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// Always calls BLIS (used by ``gemm`` above the threshold and by the benchmark).
    public static func blisGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        _ = defaultThreadsApplied
        cblas_dgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    /// Always uses plain loops: each output element is one dot product summed in
    /// order of the inner index, then scaled by `alpha`, the way BLIS applies it.
    public static func loopGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        // Strides of op(A)'s rows/inner index and op(B)'s inner index/columns.
        let aRowStride = transposeA ? 1 : lda
        let aInnerStride = transposeA ? lda : 1
        let bInnerStride = transposeB ? 1 : ldb
        let bColumnStride = transposeB ? ldb : 1
        for i in 0..<m {
            let aRow = a + i * aRowStride
            let cRow = c + i * ldc
            for j in 0..<n {
                let bColumn = b + j * bColumnStride
                var sum = 0.0
                for p in 0..<k {
                    sum += aRow[p * aInnerStride] * bColumn[p * bInnerStride]
                }
                cRow[j] = beta == 0 ? alpha * sum : alpha * sum + beta * cRow[j]
            }
        }
    }
}
