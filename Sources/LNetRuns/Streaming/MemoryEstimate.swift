import Foundation
import LNetTraining

/// The peak memory a run will need, estimated from the shapes alone before anything
/// sized by the input is allocated, and the check that refuses a run that cannot fit.
///
/// Every product is counted with overflow checks: a count that does not fit an `Int`
/// saturates at `Int.max`, which no limit admits.
public struct MemoryEstimate: Sendable, Equatable {
    /// The estimated peak in bytes (`Int.max` when it overflows).
    public let bytes: Int
    /// What dominates it, for the message (e.g. "the mini-batch's activations and gradients").
    public let largestPart: String

    /// A byte count that saturates instead of trapping.
    struct Bytes: Comparable {
        var value: Int
        static let zero = Bytes(value: 0)
        static func doubles(_ factors: Int...) -> Bytes {
            var product = 8
            for factor in factors {
                let (next, overflow) = product.multipliedReportingOverflow(by: max(factor, 0))
                if overflow { return Bytes(value: .max) }
                product = next
            }
            return Bytes(value: product)
        }
        static func + (a: Bytes, b: Bytes) -> Bytes {
            let (sum, overflow) = a.value.addingReportingOverflow(b.value)
            return Bytes(value: overflow ? .max : sum)
        }
        static func * (a: Bytes, factor: Int) -> Bytes {
            let (product, overflow) = a.value.multipliedReportingOverflow(by: factor)
            return Bytes(value: overflow ? .max : product)
        }
        static func < (a: Bytes, b: Bytes) -> Bool { a.value < b.value }
    }

    /// Parameters of `layerSizes` (`Σ n_l·(n_{l−1}+1)`), in bytes as float64.
    static func parameterBytes(_ layerSizes: [Int]) -> Bytes {
        zip(layerSizes, layerSizes.dropFirst()).reduce(Bytes.zero) { $0 + .doubles($1.1, $1.0) + .doubles($1.1) }
    }

    /// A ``ForwardBackwardWorkspace`` of `capacity` columns: Z, A and dZ for every layer,
    /// dA for hidden ones, the dropout output and mask when `dropout`; `backward` false
    /// counts what a forward-only pass allocates (the same buffers: it is one workspace).
    static func workspaceBytes(_ layerSizes: [Int], capacity: Int, dropout: Bool) -> Bytes {
        let layerCount = layerSizes.count - 1
        guard layerCount >= 1 else { return .zero }
        var total = Bytes.doubles(capacity)
        for l in 1...layerCount {
            let isHidden = l < layerCount
            total = total + .doubles(layerSizes[l], capacity, 3 + (isHidden ? 1 : 0) + (isHidden && dropout ? 2 : 0))
        }
        return total
    }

    /// The peak of a training run (train or resume), in the phases it goes through:
    /// loading x (the file's values and the matrix, both alive for a moment), then the
    /// session — parameters, gradients, the optimizer's v and s, the batch's workspace,
    /// the gathered batch, the labels, full-batch training's examples-first copy of X —
    /// beside the largest of the transient peaks that follow: the initial state and its
    /// flattened copy while the session is built, the state snapshot and the checkpoint
    /// written from it at each save, and the forward passes of the final accuracies
    /// (all m training examples in one pass when x is in memory, blocks when streamed;
    /// the test set whole).
    ///
    /// - Parameters:
    ///   - layerSizes: `[n_x, n_1, …, n_L]`.
    ///   - exampleCount: m of the training data.
    ///   - streamed: whether x is streamed (then only a batch of it is in memory).
    ///   - keptInStoredType: whether x is held as stored, one byte a value, and prepared a
    ///     batch at a time (`StoredTypeExamples`: uint8 x trained in mini-batches).
    ///   - testExampleCount: m of the `--test` data (0 without).
    ///   - examplesFirstCopyLimit: the cap on full-batch training's second copy of X.
    ///   - precision: float32 training also holds X converted to float32 (full batch), or a
    ///     batch of doubles before conversion (streamed); its other buffers, counted as
    ///     float64, are over-estimated by half.
    public static func training(
        layerSizes: [Int], exampleCount m: Int, batchSize: Int, optimizer: Optimizer, keepProbability: Double,
        streamed: Bool, keptInStoredType: Bool = false, testExampleCount: Int = 0, localGradientShards: Int = 0,
        examplesFirstCopyLimit: Int = TrainingSession.examplesFirstCopyLimit, precision: Precision = .float64
    ) -> MemoryEstimate {
        let featureCount = layerSizes.first ?? 0
        let capacity = max(1, min(batchSize, m))
        let fullBatch = capacity >= m
        let parameters = parameterBytes(layerSizes)
        let optimizerCopies = (optimizer.usesVelocity ? 1 : 0) + (optimizer.usesSquares ? 1 : 0)
        let x = Bytes.doubles(featureCount, m)
        // Prepared a batch at a time: streamed from the file, or from the stored bytes in memory.
        let perBatch = streamed || keptInStoredType
        let stored = keptInStoredType ? (x.value == .max ? x : Bytes(value: x.value / 8)) : Bytes.zero

        // Held for the whole run.
        let data = streamed ? Bytes.doubles(featureCount, capacity, 2) : (keptInStoredType ? stored : x)  // streamed: read rows + their columns
        let labels = Bytes.doubles(m, 3)  // the file's, LabeledData's Int64 and the session's Int copies
        // Parameters, gradients, v, s; and under --grad-shards a partial gradient per shard this process
        // computes plus their sum, and the whole batch's dropout masks.
        let shardBuffers = localGradientShards > 0
            ? parameters * (localGradientShards + 1) + Bytes.doubles(layerSizes.dropFirst().dropLast().reduce(0, +), capacity)
            : Bytes.zero
        let sessionBuffers = parameters * (2 + optimizerCopies) + shardBuffers
        let batch = workspaceBytes(layerSizes, capacity: capacity, dropout: keepProbability < 1)
        let gathered = fullBatch ? Bytes.zero : Bytes.doubles(featureCount, capacity)
        let examplesFirst = fullBatch && precision == .float64 && x.value <= examplesFirstCopyLimit ? x : Bytes.zero
        let testData = Bytes.doubles(featureCount, testExampleCount)
        var converted = Bytes.zero
        if precision == .float32 {
            // X in float32 (half of x) for a full batch; a streamed batch's doubles before conversion.
            // (An in-memory mini-batch, and x kept in its stored type, is converted as it is gathered,
            // into the batch buffer counted above.)
            if streamed {
                converted = Bytes.doubles(featureCount, capacity)
            } else if fullBatch {
                converted = Bytes(value: x.value / 2)
            }
        }
        let held = data + labels + sessionBuffers + batch + gathered + examplesFirst + testData + converted

        // Transient, one at a time.
        let state = parameters * (1 + optimizerCopies)
        let building = state + parameters  // TrainingState(initialFor:) and one flattened copy
        // The snapshot, and the checkpoint's tensors converted for HDF5. A periodic save is
        // written in the background beside the held buffers, one at a time
        // (BackgroundCheckpointWriter), and has ended before the final accuracies.
        let saving = state * 2
        let evaluationColumns = perBatch ? max(1, min(m, (8 << 20) / max(8 * featureCount, 1))) : m
        let evaluation = parameters * 2 + workspaceBytes(layerSizes, capacity: max(evaluationColumns, testExampleCount), dropout: false)
        let transient = max(building, saving, evaluation)
        let loading = streamed ? Bytes.zero : (keptInStoredType ? stored + labels : x * 2 + labels)

        let peak = max(loading, held + transient)
        let parts: [(String, Bytes)] = [
            ("x in memory", streamed ? .zero : (keptInStoredType ? stored : x * 2)),
            ("the parameters, gradients and optimizer state", sessionBuffers + state),
            ("a mini-batch's activations and gradients (\(capacity) examples)", batch),
            ("the forward pass of the final accuracy over \(max(evaluationColumns, testExampleCount)) examples", evaluation),
        ]
        let largest = parts.max { $0.1 < $1.1 }?.0 ?? ""
        return MemoryEstimate(bytes: peak.value, largestPart: largest)
    }

    /// The peak of reading a checkpoint of `layerSizes` (parameters, and the optimizer's
    /// v and s when it has them) and predicting blocks of `blockColumns` examples with it.
    public static func inference(layerSizes: [Int], optimizerCopies: Int = 2, blockColumns: Int) -> MemoryEstimate {
        let parameters = parameterBytes(layerSizes)
        // The checkpoint's tensors, the network built from them, its flattened copy per block.
        let held = parameters * (3 + optimizerCopies)
        let block = workspaceBytes(layerSizes, capacity: max(blockColumns, 1), dropout: false)
            + .doubles(layerSizes.first ?? 0, blockColumns, 2)
        let total = held + block
        return MemoryEstimate(
            bytes: total.value,
            largestPart: held < block ? "the forward pass over \(blockColumns) examples" : "the parameters")
    }

    /// `estimate` formatted for people: `138 GiB`, or "more than can be counted".
    public var formatted: String {
        bytes == .max ? "more memory than can be counted" : MemoryPolicy.format(bytes: bytes)
    }
}

/// How much memory this process may use: the machine's physical memory, or the
/// cgroup's `memory.max` when that is lower.
public enum MachineMemory {
    /// The physical memory (`sysconf(_SC_PHYS_PAGES) · _SC_PAGESIZE`) or the cgroup
    /// limit, whichever is lower; nil when neither can be read.
    public static var limit: Int? {
        var limits: [Int] = []
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, pageSize > 0 {
            let (total, overflow) = pages.multipliedReportingOverflow(by: pageSize)
            limits.append(overflow ? .max : total)
        }
        if let cgroup = cgroupLimit { limits.append(cgroup) }
        return limits.min()
    }

    /// `memory.max` of this process's cgroup (v2), or `memory.limit_in_bytes` (v1); nil
    /// when unlimited or unreadable.
    static var cgroupLimit: Int? {
        var candidates = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
        if let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("0::") {
                let path = String(line.dropFirst(3))
                if path != "/" { candidates.insert("/sys/fs/cgroup\(path)/memory.max", at: 0) }
            }
        }
        for file in candidates {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if value == "max" { return nil }
            // cgroup v1 says "unlimited" with a number near Int64.max.
            if let bytes = Int(value), bytes > 0, bytes < 1 << 60 { return bytes }
            return nil
        }
        return nil
    }
}

extension MemoryPolicy {
    /// The most a run may need: `peakLimit` (an explicit `--memory-budget`) or the
    /// machine's memory (``MachineMemory/limit``), whichever is lower.
    public var runLimit: Int {
        min(peakLimit ?? .max, MachineMemory.limit ?? .max)
    }

    /// Throws a `RunError` naming the estimate when `estimate` exceeds ``runLimit``.
    /// `what` names the run ("training layers 2,3000000,10 on 300 examples"); `advice`
    /// says what to change.
    public func admit(_ estimate: MemoryEstimate, path: String?, what: String,
                      advice: MemoryAdvice = .fewerUnitsOrSmallerBatch) throws {
        let limit = runLimit
        guard estimate.bytes > limit else { return }
        let budgetSetsLimit = peakLimit.map { $0 <= (MachineMemory.limit ?? .max) } == true
        throw RunError(
            path: path,
            .overMemory(what: what, estimate: estimate.formatted, largestPart: estimate.largestPart,
                        budget: budgetSetsLimit ? Self.format(bytes: limit) : nil, machine: Self.format(bytes: limit),
                        advice: advice))
    }
}
