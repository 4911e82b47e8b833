import CBLIS
import Foundation

/// The floating-point type a run trains in (`lnet train --dtype`).
///
/// Parameters, optimizer moments, activations and products are of this type; the
/// cost is summed in float64 whatever it is. Public values (``Matrix``,
/// ``NetworkParameters``, ``TrainingState``) stay `Double`: every float32 value is
/// exactly a double, so a float32 run's state round-trips through them unchanged.
public enum Precision: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// IEEE binary64, numpy's default and the course's.
    case float64
    /// IEEE binary32: half the memory traffic and twice the SIMD width in the products.
    case float32

    /// Bytes per value.
    public var byteCount: Int { self == .float64 ? 8 : 4 }

    /// `value` as this precision stores it (rounded to the nearest float for float32).
    public func rounded(_ value: Double) -> Double {
        self == .float64 ? value : Double(Float(value))
    }
}

/// What the training math needs of its element type beyond arithmetic: its BLAS
/// product, the elementary functions, a branch-free select and exact widening to
/// `Double`. `Double` and `Float` conform; the math is written once, generic over
/// it, and the compiler specializes it for each (a `Double` run executes exactly
/// the operations it did before the type was generic).
protocol TrainingScalar: BinaryFloatingPoint, Sendable {
    /// Which ``Precision`` this is.
    static var precision: Precision { get }
    /// Row-major `C = alpha · op(A) · op(B) + beta · C` through CBLAS (`cblas_dgemm`, `cblas_sgemm`).
    static func cblasGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// `e^x`.
    static func exp(_ x: Self) -> Self
    /// `tanh(x)`.
    static func tanh(_ x: Self) -> Self
    /// `condition ? ifTrue : ifFalse` without a branch.
    static func select(_ condition: Bool, _ ifTrue: Self, _ ifFalse: Self) -> Self
    /// The value as a double (exact).
    var doubleValue: Double { get }
    /// The nearest value to `value`.
    init(rounding value: Double)
}

@inline(__always)
private func cblasTranspose(_ transpose: Bool) -> CBLAS_TRANSPOSE { transpose ? CblasTrans : CblasNoTrans }

extension Double: TrainingScalar {
    static var precision: Precision { .float64 }

    @inline(__always)
    static func cblasGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB),
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inline(__always) static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }

    @inline(__always)
    static func select(_ condition: Bool, _ ifTrue: Double, _ ifFalse: Double) -> Double {
        let mask = UInt64(bitPattern: -Int64(condition ? 1 : 0))
        return Double(bitPattern: (ifTrue.bitPattern & mask) | (ifFalse.bitPattern & ~mask))
    }

    @inline(__always) var doubleValue: Double { self }
    @inline(__always) init(rounding value: Double) { self = value }
}

extension Float: TrainingScalar {
    static var precision: Precision { .float32 }

    @inline(__always)
    static func cblasGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB),
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inline(__always) static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }

    @inline(__always)
    static func select(_ condition: Bool, _ ifTrue: Float, _ ifFalse: Float) -> Float {
        let mask = UInt32(bitPattern: -Int32(condition ? 1 : 0))
        return Float(bitPattern: (ifTrue.bitPattern & mask) | (ifFalse.bitPattern & ~mask))
    }

    @inline(__always) var doubleValue: Double { Double(self) }
    @inline(__always) init(rounding value: Double) { self = Float(value) }
}
