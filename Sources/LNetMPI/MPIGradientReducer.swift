#if MPI
import CMPI
import LNetTraining

/// ``GradientReducer`` over Open MPI's `MPI_COMM_WORLD`: the ranks that `mpirun -np N` starts.
///
/// The sum is recursive doubling over `MPI_Sendrecv`, in the order ``RecursiveDoubling`` fixes (and
/// ``ShardTree`` repeats in one process), not `MPI_Allreduce`, whose order of additions depends on the
/// implementation, the message size and the rank count. Errors are returned, not fatal
/// (`MPI_ERRORS_RETURN`), and surface as ``DistributionError``s.
public final class MPIGradientReducer: GradientReducer {
    public let rank: Int
    public let rankCount: Int
    private let plan: RecursiveDoubling
    /// The partner's vector during an exchange.
    private var received: [Double] = []

    /// Initialises MPI (`MPI_Init`, about 0.4 s: only distributed runs pay it) and reads this process's
    /// rank. Call ``finalize()`` before a normal exit.
    public init() throws {
        try Self.check(MPI_Init(nil, nil), "MPI_Init")
        try Self.check(MPI_Comm_set_errhandler(lnet_MPI_COMM_WORLD(), lnet_MPI_ERRORS_RETURN()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0
        var size: Int32 = 0
        try Self.check(MPI_Comm_rank(lnet_MPI_COMM_WORLD(), &rank), "MPI_Comm_rank")
        try Self.check(MPI_Comm_size(lnet_MPI_COMM_WORLD(), &size), "MPI_Comm_size")
        self.rank = Int(rank)
        rankCount = Int(size)
        plan = RecursiveDoubling(rankCount: Int(size))
    }

    /// Ends MPI after the last collective (`MPI_Finalize`).
    public func finalize() throws {
        try Self.check(MPI_Finalize(), "MPI_Finalize")
    }

    public func sumAcrossRanks(_ values: UnsafeMutablePointer<Double>, count: Int) throws {
        guard rankCount > 1 else { return }
        if received.count < count { received = [Double](repeating: 0, count: count) }
        try received.withUnsafeMutableBufferPointer { buffer in
            guard let other = buffer.baseAddress else { return }
            guard let virtual = plan.virtualRank(of: rank) else {
                // An even rank of a folded pair: hand over the vector, wait for the sum.
                try send(values, count: count, to: rank + 1)
                try receive(into: values, count: count, from: rank + 1)
                return
            }
            if rank < 2 * plan.extra {
                try receive(into: other, count: count, from: rank - 1)
                RecursiveDoubling.add(lower: other, upper: values, into: values, count: count)
            }
            var distance = 1
            while distance < plan.powerOfTwo {
                let partnerVirtual = virtual ^ distance
                let partner = plan.rank(ofVirtual: partnerVirtual)
                try Self.check(MPI_Sendrecv(values, Int32(count), lnet_MPI_DOUBLE(), Int32(partner), 0,
                                            other, Int32(count), lnet_MPI_DOUBLE(), Int32(partner), 0,
                                            lnet_MPI_COMM_WORLD(), lnet_MPI_STATUS_IGNORE()), "MPI_Sendrecv")
                if virtual < partnerVirtual {
                    RecursiveDoubling.add(lower: values, upper: other, into: values, count: count)
                } else {
                    RecursiveDoubling.add(lower: other, upper: values, into: values, count: count)
                }
                distance *= 2
            }
            if rank < 2 * plan.extra { try send(values, count: count, to: rank - 1) }
        }
    }

    public func broadcastFromRoot(_ values: UnsafeMutablePointer<Double>, count: Int) throws {
        guard rankCount > 1 else { return }
        try Self.check(MPI_Bcast(values, Int32(count), lnet_MPI_DOUBLE(), 0, lnet_MPI_COMM_WORLD()), "MPI_Bcast")
    }

    public func anyRank(_ flag: Bool) throws -> Bool {
        guard rankCount > 1 else { return flag }
        var mine: Int32 = flag ? 1 : 0
        var any: Int32 = 0
        try Self.check(MPI_Allreduce(&mine, &any, 1, lnet_MPI_INT(), lnet_MPI_MAX(), lnet_MPI_COMM_WORLD()),
                       "MPI_Allreduce")
        return any != 0
    }

    private func send(_ values: UnsafeMutablePointer<Double>, count: Int, to destination: Int) throws {
        try Self.check(MPI_Send(values, Int32(count), lnet_MPI_DOUBLE(), Int32(destination), 0, lnet_MPI_COMM_WORLD()),
                       "MPI_Send")
    }

    private func receive(into values: UnsafeMutablePointer<Double>, count: Int, from source: Int) throws {
        try Self.check(MPI_Recv(values, Int32(count), lnet_MPI_DOUBLE(), Int32(source), 0, lnet_MPI_COMM_WORLD(),
                                lnet_MPI_STATUS_IGNORE()), "MPI_Recv")
    }

    /// Every MPI return code is checked here: anything but `MPI_SUCCESS` becomes a ``DistributionError``
    /// with MPI's own words.
    static func check(_ code: Int32, _ call: String) throws {
        guard code != lnet_MPI_SUCCESS() else { return }
        var text = [CChar](repeating: 0, count: Int(lnet_MPI_MAX_ERROR_STRING()) + 1)
        var length: Int32 = 0
        _ = MPI_Error_string(code, &text, &length)
        let words = String(decoding: text.prefix(Int(max(length, 0))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw DistributionError("\(call) failed: \(words.isEmpty ? "MPI error \(code)" : words)")
    }
}
#endif
