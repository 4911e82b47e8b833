import Foundation

/// A random generator that reproduces numpy's legacy global `RandomState`
/// (`np.random.seed`, `randn`, `rand`, `normal`, `permutation`, `shuffle`) bit for bit.
///
/// The course's results depend on the exact stream numpy draws: He initialisation,
/// the mini-batch permutations and the dropout masks all come from it. numpy's legacy
/// path is MT19937 plus three details that this type copies exactly:
/// doubles are built from two 32-bit draws (27 + 26 bits), normals use Marsaglia's
/// polar method and keep the second value of each pair for the next call (even across
/// calls to different functions), and bounded integers use mask-and-reject.
///
/// The whole state is the public ``State`` value, so training can be checkpointed
/// and resumed exactly.
public struct NumpyRandom: Sendable, Equatable {
    /// Everything that determines the rest of the stream: numpy's
    /// `np.random.get_state()` as `('MT19937', key, pos, has_gauss, cached_gaussian)`.
    public struct State: Sendable, Equatable, Hashable, Codable {
        /// The 624 words of the Mersenne Twister.
        public var key: [UInt32]
        /// Index of the next word to temper; 624 means "regenerate before the next draw".
        public var position: Int
        /// Whether a second normal of the last polar pair is waiting to be returned.
        public var hasGauss: Bool
        /// That waiting normal (0 when there is none, as numpy keeps it).
        public var gauss: Double

        /// Creates a state from its parts, checking that it is one MT19937 can continue from.
        public init(key: [UInt32], position: Int, hasGauss: Bool, gauss: Double) throws {
            guard key.count == NumpyRandom.stateLength else {
                throw NumpyRandomError(description: "an MT19937 key has \(NumpyRandom.stateLength) words, this one has \(key.count)")
            }
            guard (0...NumpyRandom.stateLength).contains(position) else {
                throw NumpyRandomError(description: "an MT19937 position must lie in 0...\(NumpyRandom.stateLength), got \(position)")
            }
            self.key = key
            self.position = position
            self.hasGauss = hasGauss
            self.gauss = gauss
        }

        private enum CodingKeys: String, CodingKey { case key, position, hasGauss, gauss }

        /// Decodes and checks the state (a checkpoint is input).
        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(key: try container.decode([UInt32].self, forKey: .key),
                          position: try container.decode(Int.self, forKey: .position),
                          hasGauss: try container.decode(Bool.self, forKey: .hasGauss),
                          gauss: try container.decode(Double.self, forKey: .gauss))
        }

        /// Whether MT19937 can continue from this state (the key and position are public
        /// and may have been changed since the state was made).
        public var isValid: Bool {
            key.count == NumpyRandom.stateLength && (0...NumpyRandom.stateLength).contains(position)
        }

        fileprivate init(uncheckedKey key: [UInt32], position: Int) {
            self.key = key
            self.position = position
            self.hasGauss = false
            self.gauss = 0
        }
    }

    static let stateLength = 624
    private static let shiftSize = 397

    /// The generator's full state; assigning it continues the stream from there.
    public var state: State

    /// `np.random.seed(seed)`: MT19937's `init_genrand`, with no cached normal.
    public init(seed: UInt32) {
        state = State(uncheckedKey: [UInt32](repeating: 0, count: Self.stateLength), position: Self.stateLength)
        self.seed(seed)
    }

    /// Continues from a saved state.
    public init(state: State) {
        self.state = state
    }

    /// Reseeds in place, as `np.random.seed(seed)` does to the global generator
    /// (reusing the key's storage: the trainer reseeds every epoch).
    public mutating func seed(_ seed: UInt32) {
        if state.key.count != Self.stateLength {
            state.key = [UInt32](repeating: 0, count: Self.stateLength)
        }
        state.key.withUnsafeMutableBufferPointer { key in
            var value = seed
            for index in 0..<Self.stateLength {
                key[index] = value
                value = 1_812_433_253 &* (value ^ (value >> 30)) &+ UInt32(index + 1)
            }
        }
        state.position = Self.stateLength
        state.hasGauss = false
        state.gauss = 0
    }

    // MARK: Raw draws

    /// The next tempered 32-bit word (numpy's `mt19937_next32`).
    @inline(__always)
    public mutating func nextUInt32() -> UInt32 {
        if state.position == Self.stateLength { regenerate() }
        let word = state.key.withUnsafeBufferPointer { $0[state.position] }
        state.position += 1
        return Self.temper(word)
    }

    /// MT19937's output transformation of one state word.
    @inline(__always)
    private static func temper(_ word: UInt32) -> UInt32 {
        var y = word
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// MT19937's twist of all 624 words (the reference's three loops, no modulo).
    private mutating func regenerate() {
        state.key.withUnsafeMutableBufferPointer { Self.twist($0) }
        state.position = 0
    }

    private static func twist(_ key: UnsafeMutableBufferPointer<UInt32>) {
        let n = stateLength
        let m = shiftSize
        @inline(__always) func twist(_ upper: UInt32, _ lower: UInt32, _ shifted: UInt32) -> UInt32 {
            let y = (upper & 0x8000_0000) | (lower & 0x7fff_ffff)
            return shifted ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_b0df)
        }
        for i in 0..<(n - m) { key[i] = twist(key[i], key[i + 1], key[i + m]) }
        for i in (n - m)..<(n - 1) { key[i] = twist(key[i], key[i + 1], key[i + m - n]) }
        key[n - 1] = twist(key[n - 1], key[0], key[m - 1])
    }

    /// A double in [0, 1) with 53 random bits (numpy's `random_sample` / `rand`).
    @inline(__always)
    public mutating func nextDouble() -> Double {
        let high = Double(nextUInt32() >> 5)
        let low = Double(nextUInt32() >> 6)
        return (high * 67_108_864.0 + low) / 9_007_199_254_740_992.0
    }

    /// A standard normal, numpy's `legacy_gauss`: polar method, second value cached.
    public mutating func nextGaussian() -> Double {
        if state.hasGauss {
            let cached = state.gauss
            state.hasGauss = false
            state.gauss = 0
            return cached
        }
        var x1: Double, x2: Double, r2: Double
        repeat {
            x1 = 2.0 * nextDouble() - 1.0
            x2 = 2.0 * nextDouble() - 1.0
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1.0 || r2 == 0.0
        let factor = (-2.0 * Foundation.log(r2) / r2).squareRoot()
        state.gauss = factor * x1
        state.hasGauss = true
        return factor * x2
    }

    /// A uniform integer in `0...max` (numpy's `random_interval`: smallest covering
    /// bit mask, redraw while above `max`).
    public mutating func nextInterval(upTo max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        mask |= mask >> 32
        if max <= 0xffff_ffff {
            while true {
                let value = UInt64(nextUInt32()) & mask
                if value <= max { return value }
            }
        } else {
            while true {
                // numpy's next_uint64 for MT19937: high word first.
                let value = ((UInt64(nextUInt32()) << 32) | UInt64(nextUInt32())) & mask
                if value <= max { return value }
            }
        }
    }

    // MARK: numpy's array functions (C order)

    /// `np.random.randn(count)` flattened: `count` standard normals.
    public mutating func standardNormal(count: Int) -> [Double] {
        var values = [Double](repeating: 0, count: max(count, 0))
        for index in values.indices { values[index] = nextGaussian() }
        return values
    }

    /// `np.random.randn(rows, columns)` as a row-major matrix.
    public mutating func randn(_ rows: Int, _ columns: Int) throws -> Matrix {
        try Matrix(rows: rows, columns: columns, elements: standardNormal(count: rows * columns))
    }

    /// `np.random.normal(loc, scale, count)`: `loc + scale * gauss` for each value.
    public mutating func normal(location: Double = 0, scale: Double = 1, count: Int) -> [Double] {
        var values = [Double](repeating: 0, count: max(count, 0))
        for index in values.indices { values[index] = location + scale * nextGaussian() }
        return values
    }

    /// `np.random.rand(count)` / `random_sample(count)`: uniform doubles in [0, 1).
    public mutating func uniform(count: Int) -> [Double] {
        var values = [Double](repeating: 0, count: max(count, 0))
        for index in values.indices { values[index] = nextDouble() }
        return values
    }

    /// `np.random.shuffle(array)` for a 1-d array: Fisher–Yates from the end,
    /// swapping element `i` with `random_interval(i)` for `i = n-1 … 1`.
    public mutating func shuffle<Element>(_ array: inout [Element]) {
        var i = array.count - 1
        // numpy draws 64-bit values while the bound needs more than 32 bits.
        while i > 0xffff_ffff {
            array.swapAt(i, Int(nextInterval(upTo: UInt64(i))))
            i -= 1
        }
        guard i > 0 else { return }
        array.withUnsafeMutableBufferPointer { values in
            // The trainer shuffles every epoch: draw straight from the key's storage
            // (the same words `nextInterval` would draw, without a call per draw).
            var position = state.position
            state.key.withUnsafeMutableBufferPointer { key in
                // One 32-bit draw per pass. A rejected draw (above i) swaps element i
                // with itself and keeps i, so no branch depends on the random value:
                // about a third of the draws are rejected, at random.
                while i > 0 {
                    if position == Self.stateLength { Self.twist(key); position = 0 }
                    let mask = UInt32.max >> UInt32(UInt32(truncatingIfNeeded: i).leadingZeroBitCount)
                    let value = Int(Self.temper(key[position]) & mask)
                    position += 1
                    let accepted = value <= i
                    let j = accepted ? value : i
                    let kept = values[i]
                    values[i] = values[j]
                    values[j] = kept
                    i -= accepted ? 1 : 0
                }
            }
            state.position = position
        }
    }

    /// `np.random.permutation(count)` written into `values`, reusing its storage.
    public mutating func permutation(_ count: Int, into values: inout [Int]) {
        let count = max(count, 0)
        if values.count != count {
            values = Array(0..<count)
        } else {
            values.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = index }
            }
        }
        shuffle(&values)
    }

    /// `np.random.permutation(n)`: `arange(n)` shuffled.
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<max(count, 0))
        shuffle(&values)
        return values
    }
}

/// A generator state that MT19937 cannot continue from.
public struct NumpyRandomError: Error, CustomStringConvertible, Equatable {
    /// What is wrong with the state.
    public let description: String
}
