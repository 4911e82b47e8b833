/// numpy's summation of a contiguous run of doubles (`pairwise_sum_DOUBLE`, what
/// `np.sum` uses along a contiguous axis): blocks of at most 128 values summed with
/// eight interleaved accumulators, larger runs split in two and the halves added.
///
/// Used where the course calls `np.sum` (the bias gradients, the L2 term), so those
/// values round as numpy's do; the eight independent chains are also several times
/// faster than one sequential sum, whose adds wait on each other.
/// In float32 it is numpy's `pairwise_sum_FLOAT`, the same algorithm in that type.
@inline(__always)
func pairwiseSum<Scalar: TrainingScalar>(_ values: UnsafePointer<Scalar>, count: Int) -> Scalar {
    pairwiseSum(count: count) { values[$0] }
}

/// ``pairwiseSum(_:count:)`` of `term(0) … term(count − 1)`, as numpy sums an array
/// holding those values (e.g. `np.sum(np.square(W))`), without building the array.
@inline(__always)
func pairwiseSum<Scalar: TrainingScalar>(count: Int, _ term: (Int) -> Scalar) -> Scalar {
    // numpy's reduction starts from the identity: 0 + (−0) is +0, as np.sum gives.
    Scalar.zero + pairwiseBlocks(from: 0, count: count, term)
}

private func pairwiseBlocks<Scalar: TrainingScalar>(from start: Int, count: Int, _ term: (Int) -> Scalar) -> Scalar {
    if count < 8 {
        var total = Scalar.zero
        for i in start..<(start + count) { total += term(i) }
        return total
    }
    if count <= 128 {
        var r0 = term(start), r1 = term(start + 1), r2 = term(start + 2), r3 = term(start + 3)
        var r4 = term(start + 4), r5 = term(start + 5), r6 = term(start + 6), r7 = term(start + 7)
        let end = start + count
        let wholeEnd = end - count % 8
        var i = start + 8
        while i < wholeEnd {
            r0 += term(i); r1 += term(i + 1); r2 += term(i + 2); r3 += term(i + 3)
            r4 += term(i + 4); r5 += term(i + 5); r6 += term(i + 6); r7 += term(i + 7)
            i += 8
        }
        var total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < end {
            total += term(i)
            i += 1
        }
        return total
    }
    // Halve, keeping the first half a multiple of the eight-way unrolling.
    var half = count / 2
    half -= half % 8
    return pairwiseBlocks(from: start, count: half, term) + pairwiseBlocks(from: start + half, count: count - half, term)
}
