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
    public static let loopThreshold = 10_000

    /// Products with fewer multiply-adds than this run on one BLIS thread whatever
    /// ``threads`` says: below it, handing half the output to a second thread and
    /// waiting for it costs more than the half saves, and much more when other
    /// processes keep the cores busy (measured in `benchmarks/threads/README.md`).
    public static let singleThreadThreshold = 2_000_000

    /// The threads products at or above ``singleThreadThreshold`` use: `--threads`,
    /// or by default the CPUs this process may run on (``usableProcessorCount``).
    /// Set once at start-up, before any product (LNet runs its products from one thread).
    nonisolated(unsafe) private static var configuredThreads = usableProcessorCount
    /// What BLIS was last told, so that a product of the same class as the one before costs no call.
    nonisolated(unsafe) private static var appliedThreads = 0

    /// Sets how many threads BLIS uses for the products that follow (those below
    /// ``singleThreadThreshold`` use one).
    ///
    /// Results are bit-identical whatever the thread count: BLIS splits the output
    /// among threads but never the inner (summed) dimension.
    public static func setThreads(_ count: Int) {
        configuredThreads = max(1, count)
    }

    /// The number of threads BLIS uses for large products.
    public static var threads: Int { configuredThreads }

    /// The CPUs this process may run on: its affinity mask (`taskset`, a container's
    /// cpuset), lowered to the cgroup's CPU quota (`cpu.max`, rounded up) when one is set.
    public static var usableProcessorCount: Int {
        var count = ProcessInfo.processInfo.activeProcessorCount
        // The affinity mask as the kernel reports it (`sched_getaffinity`'s, in hex words).
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let allowed = line.dropFirst("Cpus_allowed:".count).reduce(0) { total, character in
                total + (character.hexDigitValue.map { $0.nonzeroBitCount } ?? 0)
            }
            if allowed > 0 { count = min(count, allowed) }
        }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8) {
            let fields = text.split(whereSeparator: \.isWhitespace)
            if fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0, period > 0 {
                count = min(count, max(1, Int((quota / period).rounded(.up))))
            }
        }
        return max(1, count)
    }

    /// Row-major `C = alpha · op(A) · op(B) + beta · C` with `op(A)` `m×k`, `op(B)` `k×n`, in float64.
    ///
    /// `lda`, `ldb`, `ldc` are the row lengths of the stored A, B and C.
    /// Small products (see ``loopThreshold``) skip BLIS.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        product(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Always calls BLIS, in float64 (``gemm`` above the threshold; the benchmark).
    public static func blisGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        blisProduct(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Always calls BLIS, in float32 (`cblas_sgemm`; the benchmark).
    public static func blisGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        blisProduct(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Always uses plain loops, in float64 (see ``loopProduct``).
    public static func loopGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        loopProduct(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Always uses plain loops, in float32 (see ``loopProduct``).
    public static func loopGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        loopProduct(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// ``gemm`` in the training's element type: the one the trainer calls.
    @inline(__always)
    static func product<Scalar: TrainingScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Scalar, a: UnsafePointer<Scalar>, lda: Int,
        b: UnsafePointer<Scalar>, ldb: Int,
        beta: Scalar, c: UnsafeMutablePointer<Scalar>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if m * n * k < loopThreshold {
            loopProduct(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            blisProduct(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// Always calls BLIS (`cblas_dgemm` or `cblas_sgemm`).
    static func blisProduct<Scalar: TrainingScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Scalar, a: UnsafePointer<Scalar>, lda: Int,
        b: UnsafePointer<Scalar>, ldb: Int,
        beta: Scalar, c: UnsafeMutablePointer<Scalar>, ldc: Int
    ) {
        let (product, overflow) = (m * n).multipliedReportingOverflow(by: k)
        let wanted = !overflow && product < singleThreadThreshold ? 1 : configuredThreads
        if wanted != appliedThreads {
            bli_thread_set_num_threads(wanted)
            appliedThreads = wanted
        }
        Scalar.cblasGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                         alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Always uses plain loops. Each output element is the sum of its products in
    /// order of the inner index (starting from 0), then scaled by `alpha` — the same
    /// rounding whichever loop order below computes it, so the result does not depend
    /// on the shape-specific path taken.
    static func loopProduct<Scalar: TrainingScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Scalar, a: UnsafePointer<Scalar>, lda: Int,
        b: UnsafePointer<Scalar>, ldb: Int,
        beta: Scalar, c: UnsafeMutablePointer<Scalar>, ldc: Int
    ) {
        // Strides of op(A)'s rows/inner index and op(B)'s inner index/columns.
        let aRowStride = transposeA ? 1 : lda
        let aInnerStride = transposeA ? lda : 1
        let bInnerStride = transposeB ? 1 : ldb
        let bColumnStride = transposeB ? ldb : 1
        if beta != 0 {
            dotProductGemm(m: m, n: n, k: k, alpha: alpha, a: a, aRowStride: aRowStride, aInnerStride: aInnerStride,
                           b: b, bInnerStride: bInnerStride, bColumnStride: bColumnStride, beta: beta, c: c, ldc: ldc)
        } else if transposeB && !transposeA {
            // dW = dZ·Aᵀ: rows of A and of B are both contiguous along the inner index.
            // Each output is a sequential sum, so its latency bounds it: four outputs at
            // once (taken in row-major order across rows, so that a 5×2 dW still fills
            // all four) run four independent chains.
            let count = m * n
            var q = 0
            while q + 4 <= count {
                let (i0, j0) = q.quotientAndRemainder(dividingBy: n)
                let (i1, j1) = (q + 1).quotientAndRemainder(dividingBy: n)
                let (i2, j2) = (q + 2).quotientAndRemainder(dividingBy: n)
                let (i3, j3) = (q + 3).quotientAndRemainder(dividingBy: n)
                let a0 = a + i0 * lda, a1 = a + i1 * lda, a2 = a + i2 * lda, a3 = a + i3 * lda
                let b0 = b + j0 * ldb, b1 = b + j1 * ldb, b2 = b + j2 * ldb, b3 = b + j3 * ldb
                var s0 = Scalar.zero, s1 = Scalar.zero, s2 = Scalar.zero, s3 = Scalar.zero
                for p in 0..<k {
                    s0 += a0[p] * b0[p]; s1 += a1[p] * b1[p]; s2 += a2[p] * b2[p]; s3 += a3[p] * b3[p]
                }
                c[i0 * ldc + j0] = alpha * s0; c[i1 * ldc + j1] = alpha * s1
                c[i2 * ldc + j2] = alpha * s2; c[i3 * ldc + j3] = alpha * s3
                q += 4
            }
            if q + 2 <= count {
                let (i0, j0) = q.quotientAndRemainder(dividingBy: n)
                let (i1, j1) = (q + 1).quotientAndRemainder(dividingBy: n)
                let a0 = a + i0 * lda, a1 = a + i1 * lda, b0 = b + j0 * ldb, b1 = b + j1 * ldb
                var s0 = Scalar.zero, s1 = Scalar.zero
                for p in 0..<k { s0 += a0[p] * b0[p]; s1 += a1[p] * b1[p] }
                c[i0 * ldc + j0] = alpha * s0; c[i1 * ldc + j1] = alpha * s1
                q += 2
            }
            if q < count {
                let (i, j) = q.quotientAndRemainder(dividingBy: n)
                let aRow = a + i * lda, bRow = b + j * ldb
                var sum = Scalar.zero
                for p in 0..<k { sum += aRow[p] * bRow[p] }
                c[i * ldc + j] = alpha * sum
            }
        } else if bColumnStride == 1 {
            // Z = W·A and dA = Wᵀ·dZ (B's rows contiguous): eight adjacent outputs of a
            // row summed over p in registers, so each is stored once, not k times.
            for i in 0..<m {
                let cRow = c + i * ldc
                let aRow = a + i * aRowStride
                var j = 0
                while j + 8 <= n {
                    var s0 = Scalar.zero, s1 = Scalar.zero, s2 = Scalar.zero, s3 = Scalar.zero, s4 = Scalar.zero, s5 = Scalar.zero, s6 = Scalar.zero, s7 = Scalar.zero
                    for p in 0..<k {
                        let x = aRow[p * aInnerStride]
                        let bRow = b + p * bInnerStride + j
                        s0 += x * bRow[0]; s1 += x * bRow[1]; s2 += x * bRow[2]; s3 += x * bRow[3]
                        s4 += x * bRow[4]; s5 += x * bRow[5]; s6 += x * bRow[6]; s7 += x * bRow[7]
                    }
                    if alpha != 1 {
                        s0 = alpha * s0; s1 = alpha * s1; s2 = alpha * s2; s3 = alpha * s3
                        s4 = alpha * s4; s5 = alpha * s5; s6 = alpha * s6; s7 = alpha * s7
                    }
                    cRow[j] = s0; cRow[j + 1] = s1; cRow[j + 2] = s2; cRow[j + 3] = s3
                    cRow[j + 4] = s4; cRow[j + 5] = s5; cRow[j + 6] = s6; cRow[j + 7] = s7
                    j += 8
                }
                while j < n {
                    var sum = Scalar.zero
                    for p in 0..<k { sum += aRow[p * aInnerStride] * b[p * bInnerStride + j] }
                    cRow[j] = alpha != 1 ? alpha * sum : sum
                    j += 1
                }
            }
        } else {
            // Both transposed (no trainer product has this form): accumulate rank-1
            // updates along whole output rows.
            for i in 0..<m {
                let cRow = c + i * ldc
                let aRow = a + i * aRowStride
                for j in 0..<n { cRow[j] = 0 }
                for p in 0..<k {
                    let x = aRow[p * aInnerStride]
                    let bRow = b + p * bInnerStride
                    if bColumnStride == 1 {
                        for j in 0..<n { cRow[j] += x * bRow[j] }
                    } else {
                        for j in 0..<n { cRow[j] += x * bRow[j * bColumnStride] }
                    }
                }
                if alpha != 1 {
                    for j in 0..<n { cRow[j] = alpha * cRow[j] }
                }
            }
        }
    }

    /// The general case (`beta ≠ 0`): one dot product per output element.
    private static func dotProductGemm<Scalar: TrainingScalar>(
        m: Int, n: Int, k: Int, alpha: Scalar,
        a: UnsafePointer<Scalar>, aRowStride: Int, aInnerStride: Int,
        b: UnsafePointer<Scalar>, bInnerStride: Int, bColumnStride: Int,
        beta: Scalar, c: UnsafeMutablePointer<Scalar>, ldc: Int
    ) {
        for i in 0..<m {
            let aRow = a + i * aRowStride
            let cRow = c + i * ldc
            for j in 0..<n {
                let bColumn = b + j * bColumnStride
                var sum = Scalar.zero
                for p in 0..<k {
                    sum += aRow[p * aInnerStride] * bColumn[p * bInnerStride]
                }
                cRow[j] = alpha * sum + beta * cRow[j]
            }
        }
    }
}
