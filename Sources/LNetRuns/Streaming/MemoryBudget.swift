import Foundation
import LNetTraining

/// How much memory x may take before training streams it from the file
/// instead of loading it (`--stream`, `--memory-budget`).
public struct MemoryPolicy: Sendable, Equatable {
    /// Stream whatever the size (`--stream`).
    public var alwaysStream: Bool
    /// The most bytes x may take in memory as float64 (n_x · m · 8) before
    /// training streams it.
    public var budget: Int
    /// The most a whole run may need at its peak (an explicit `--memory-budget`);
    /// nil: only the machine's memory bounds it (see ``runLimit``).
    public var peakLimit: Int?

    /// `budget` nil means ``MemoryPolicy/defaultBudget``.
    public init(alwaysStream: Bool = false, budget: Int? = nil, peakLimit: Int? = nil) {
        self.alwaysStream = alwaysStream
        self.budget = budget ?? Self.defaultBudget
        self.peakLimit = peakLimit
    }

    /// Never streams: what tests and library callers get unless they ask.
    public static let inMemory = MemoryPolicy(alwaysStream: false, budget: Int.max)

    /// Half the machine's physical memory (`sysconf(_SC_PHYS_PAGES) ·
    /// _SC_PAGESIZE`): room for x beside the batch, the network and the
    /// rest of the system; 4 GiB when the machine does not say.
    public static var defaultBudget: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 4 << 30 }
        let (total, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? Int.max / 2 : total / 2
    }

    /// What to do with a dataset whose x takes `featureBytes` in memory.
    public enum Decision: Sendable, Equatable {
        /// Load x whole; `note` says why when `--stream` was asked for but not followed.
        case inMemory(note: String?)
        /// Stream mini-batches; `note` says why when the budget chose it.
        case stream(note: String?)
    }

    /// Streams when asked to, or when x exceeds the budget. Full-batch
    /// training (`batchSize ≥ exampleCount`) is never streamed: one gradient
    /// over all of X summed block by block would add in another order than
    /// the in-memory product and change the bits, so it loads x when x fits
    /// the budget and is refused (thrown as a `RunError`) when it does not.
    public func decide(featureBytes: Int, exampleCount: Int, batchSize: Int, path: String) throws -> Decision {
        let overBudget = featureBytes > budget
        guard alwaysStream || overBudget else { return .inMemory(note: nil) }
        let size = Self.format(bytes: featureBytes)
        if batchSize >= exampleCount {
            guard overBudget else {
                return .inMemory(note: "full-batch training (batch size ≥ m) reads all of x at once: loading it (\(size)) instead of streaming")
            }
            throw RunError(
                path: path, .fullBatchOverBudget(size: size, budget: Self.format(bytes: budget), exampleCount: exampleCount))
        }
        if overBudget, !alwaysStream {
            return .stream(note: "x needs \(size) in memory, over the memory budget of \(Self.format(bytes: budget)): streaming mini-batches from the file")
        }
        return .stream(note: nil)
    }

    /// Parses a size: a whole number of bytes, or with a binary suffix
    /// `K`, `M`, `G`, `T` (optionally followed by `B` or `iB`, any case):
    /// `512M`, `4G`, `1.5G`, `300000000`. Nil for anything else, zero,
    /// negative or too large.
    public static func parse(_ text: String) -> Int? {
        var body = text.trimmingCharacters(in: .whitespaces).lowercased()
        for suffix in ["ib", "b"] where body.hasSuffix(suffix) && body.count > suffix.count {
            body.removeLast(suffix.count)
            break
        }
        var multiplier = 1.0
        if let last = body.last, let power = ["k": 1.0, "m": 2.0, "g": 3.0, "t": 4.0][last] {
            multiplier = pow(1024, power)
            body.removeLast()
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let number = Double(body), number.isFinite, number > 0
        else { return nil }
        let bytes = (number * multiplier).rounded(.down)
        guard bytes >= 1, bytes < 9.0e18 else { return nil }
        return Int(bytes)
    }

    /// `bytes` for people: `256 MiB`, `3.1 GiB`.
    public static func format(bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = value >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.1f", value)
        return "\(rounded) \(units[unit])"
    }
}
