// Times one gradient allreduce of LNet's distributed training: `MPIGradientReducer.sumAcrossRanks`
// (recursive doubling over MPI_Sendrecv) on a vector of the given length, under mpirun.
// Rank 0 prints one JSON line. Built only with `--traits MPI` (benchmarks/distributed/README.md).
#if MPI
import Foundation
import LNetMPI

func measure() throws {
let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 109_387 : 109_387
let repetitions = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 500 : 500
let reducer = try MPIGradientReducer()
let values = UnsafeMutablePointer<Double>.allocate(capacity: count)
defer { values.deallocate() }
func refill() { for i in 0..<count { values[i] = Double(i % 97) * 1e-3 } }
refill()
for _ in 0..<20 { try reducer.sumAcrossRanks(values, count: count); refill() }
var total = 0.0
for _ in 0..<repetitions {
    refill()
    _ = try reducer.anyRank(false)  // line the ranks up, so that each timing is the exchange alone
    let start = DispatchTime.now().uptimeNanoseconds
    try reducer.sumAcrossRanks(values, count: count)
    total += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
if reducer.rank == 0 {
    print("{\"doubles\": \(count), \"ranks\": \(reducer.rankCount), \"repetitions\": \(repetitions), \"seconds_per_allreduce\": \(total / Double(repetitions))}")
}
try reducer.finalize()
}
try measure()
#else
print("lnet-bench-allreduce needs the MPI build: swift build -c release --traits MPI")
#endif
