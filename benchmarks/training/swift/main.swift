// Times LNetTraining's TrainingSession on the course's two reference models.
//
//   lnet-bench-training moons [epochs]              moons, all three optimizers
//   lnet-bench-training cat DIR [epochs] [threads]  cat model; DIR holds the raw files
//                                                   dump_cat.py writes
//   lnet-bench-training threshold                   loop-vs-BLIS product timings
//
// Build with `swift build -c release --product lnet-bench-training`; run.sh does it all.
import Foundation
import LNetRuns
import LNetTraining

struct BenchmarkFailure: Error, CustomStringConvertible { let description: String }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// CPU seconds this process has used (all threads), to see through a busy machine.
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func readDoubles(_ path: String) throws -> [Double] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data.withUnsafeBytes { raw in
        (0..<(data.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
    }
}

/// X stored as (n_x, m) row-major float64, labels as float64, shape in a text file.
func loadCat(_ directory: String, _ name: String) throws -> LabeledData {
    let shape = try String(contentsOfFile: "\(directory)/\(name)_shape.txt", encoding: .utf8)
        .split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
    guard shape.count == 2 else { throw BenchmarkFailure(description: "bad shape file for \(name)") }
    let x = try Matrix(rows: shape[0], columns: shape[1], elements: readDoubles("\(directory)/\(name)_x.f64"))
    let y = try readDoubles("\(directory)/\(name)_y.f64").map { Int64($0) }
    return try LabeledData(features: x, labels: y)
}

func moons(epochs: Int) throws {
    let (x, y) = try MoonsDataset.make(samples: 300, noise: 0.2, seed: 3)
    let data = try LabeledData(examplesInRows: x, labels: y)
    for (name, optimizer) in [("gd", Optimizer.gradientDescent), ("momentum", .momentum()), ("adam", .adam())] {
        let configuration = TrainingConfiguration(
            layerSizes: [2, 5, 2, 1], hiddenActivations: [.relu, .relu], output: .sigmoid, initialization: .he,
            seed: 3, optimizer: optimizer, learningRate: 0.0007, batchSize: 64, shuffleSeed: 10, epochs: epochs)
        var best = Double.infinity
        var bestCPU = Double.infinity
        var session: TrainingSession?
        for _ in 0..<5 {
            let run = try TrainingSession(configuration: configuration, data: data)
            let cpuStart = cpuSeconds()
            best = min(best, try seconds { try run.run() })
            bestCPU = min(bestCPU, cpuSeconds() - cpuStart)
            session = run
        }
        guard let session else { continue }
        let accuracy = try session.network.accuracy(on: data)
        let costs = session.costs
        print(String(format: "moons %-8@ %d epochs: best of 5 wall %.4f s cpu %.4f s  cost[0] %.6f  cost[1000] %.6f  cost[2000] %.6f  accuracy %.4f",
                     name as NSString, epochs, best, bestCPU, costs.first ?? .nan,
                     costs.count > 1000 ? costs[1000] : .nan, costs.count > 2000 ? costs[2000] : .nan, accuracy))
    }
}

func cat(directory: String, epochs: Int, threads: Int) throws {
    BLAS.setThreads(threads)
    let train = try loadCat(directory, "train")
    let test = try loadCat(directory, "test")
    let configuration = TrainingConfiguration(
        layerSizes: [12288, 20, 7, 5, 1], hiddenActivations: [.relu, .relu, .relu], output: .sigmoid,
        initialization: .deep, seed: 1, optimizer: .gradientDescent, learningRate: 0.0075,
        batchSize: train.exampleCount, epochs: epochs)
    let session = try TrainingSession(configuration: configuration, data: train)
    let cpuStart = cpuSeconds()
    let elapsed = try seconds { try session.run() }
    let cpu = cpuSeconds() - cpuStart
    let network = try session.network
    let costs = session.costs
    print(String(format: "cat %d epochs, %d BLIS threads (%@): wall %.3f s cpu %.3f s  cost[0] %.6f  cost[100] %.6f  cost[last] %.6f  train acc %.4f  test acc %.4f",
                 epochs, BLAS.threads, BLAS.kernelName as NSString, elapsed, cpu, costs.first ?? .nan,
                 costs.count > 100 ? costs[100] : .nan, costs.last ?? .nan,
                 try network.accuracy(on: train), try network.accuracy(on: test)))
}

/// Times the three product forms the trainer uses — Z = W·A (NN), dW = dZ·Aᵀ (NT),
/// dA = Wᵀ·dZ (TN) — through the loop path and through BLIS, over growing sizes.
func threshold() {
    // (rows of W, batch columns, fan-in): Z is rows×batch with inner size fan-in.
    let shapes: [(Int, Int, Int)] = [(1, 64, 2), (5, 64, 2), (2, 64, 5), (1, 64, 5), (4, 64, 8), (8, 64, 8),
                                     (16, 16, 16), (8, 64, 16), (16, 64, 16), (10, 128, 10), (20, 64, 20),
                                     (16, 64, 32), (32, 64, 32), (20, 209, 7), (64, 64, 64)]
    print("layer (rows×batch, fan-in)   m·n·k |  NN loop  NN BLIS |  NT loop  NT BLIS |  TN loop  TN BLIS   (µs, best of 7)")
    for (rows, batch, fanIn) in shapes {
        let w = UnsafeMutablePointer<Double>.allocate(capacity: rows * fanIn)
        let a = UnsafeMutablePointer<Double>.allocate(capacity: fanIn * batch)
        let z = UnsafeMutablePointer<Double>.allocate(capacity: rows * batch)
        defer { w.deallocate(); a.deallocate(); z.deallocate() }
        for i in 0..<(rows * fanIn) { w[i] = Double(i % 7) - 3 }
        for i in 0..<(fanIn * batch) { a[i] = Double(i % 5) - 2 }
        for i in 0..<(rows * batch) { z[i] = Double(i % 3) - 1 }
        let repeats = max(200, 4_000_000 / (rows * batch * fanIn))
        func time(_ body: () -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<7 {
                let elapsed = seconds { for _ in 0..<repeats { body() } }
                best = min(best, elapsed / Double(repeats) * 1e6)
            }
            return best
        }
        typealias Gemm = (Bool, Bool, Int, Int, Int, Double, UnsafePointer<Double>, Int, UnsafePointer<Double>, Int, Double, UnsafeMutablePointer<Double>, Int) -> Void
        let loop: Gemm = { BLAS.loopGemm(transposeA: $0, transposeB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12) }
        let blis: Gemm = { BLAS.blisGemm(transposeA: $0, transposeB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12) }
        var cells: [Double] = []
        for gemm in [loop, blis] { cells.append(time { gemm(false, false, rows, batch, fanIn, 1, w, fanIn, a, batch, 0, z, batch) }) }
        let dW = UnsafeMutablePointer<Double>.allocate(capacity: rows * fanIn)
        let dA = UnsafeMutablePointer<Double>.allocate(capacity: fanIn * batch)
        defer { dW.deallocate(); dA.deallocate() }
        for gemm in [loop, blis] { cells.append(time { gemm(false, true, rows, fanIn, batch, 1, z, batch, a, batch, 0, dW, fanIn) }) }
        for gemm in [loop, blis] { cells.append(time { gemm(true, false, fanIn, batch, rows, 1, w, fanIn, z, batch, 0, dA, batch) }) }
        print(String(format: "%4d×%-4d %4d            %7d | %8.3f %8.3f | %8.3f %8.3f | %8.3f %8.3f",
                     rows, batch, fanIn, rows * batch * fanIn, cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]))
    }
}

/// Times the cat model's two big products, Z1 = W1·X and dW1 = dZ1·Xᵀ, through BLIS.
func catProducts(threads: Int) {
    BLAS.setThreads(threads)
    let (n1, nx, m) = (20, 12288, 209)
    let w = UnsafeMutablePointer<Double>.allocate(capacity: n1 * nx)
    let x = UnsafeMutablePointer<Double>.allocate(capacity: nx * m)
    let z = UnsafeMutablePointer<Double>.allocate(capacity: n1 * m)
    defer { w.deallocate(); x.deallocate(); z.deallocate() }
    for i in 0..<(n1 * nx) { w[i] = Double(i % 13) * 0.01 }
    for i in 0..<(nx * m) { x[i] = Double(i % 11) * 0.1 }
    for i in 0..<(n1 * m) { z[i] = Double(i % 7) * 0.1 }
    func best(_ body: () -> Void) -> Double {
        var result = Double.infinity
        for _ in 0..<50 { result = min(result, seconds(body)) }
        return result * 1e3
    }
    let forward = best { BLAS.blisGemm(transposeA: false, transposeB: false, m: n1, n: m, k: nx, alpha: 1, a: w, lda: nx, b: x, ldb: m, beta: 0, c: z, ldc: m) }
    let backward = best { BLAS.blisGemm(transposeA: false, transposeB: true, m: n1, n: nx, k: m, alpha: 1, a: z, lda: m, b: x, ldb: m, beta: 0, c: w, ldc: nx) }
    print(String(format: "%d thread(s): W1·X %.3f ms, dZ1·Xᵀ %.3f ms (best of 50)", threads, forward, backward))
}

let arguments = CommandLine.arguments.dropFirst()
do {
    switch arguments.first {
    case "moons":
        try moons(epochs: arguments.dropFirst().first.flatMap { Int($0) } ?? 5000)
    case "cat":
        guard let directory = arguments.dropFirst().first else { throw BenchmarkFailure(description: "cat needs the data directory") }
        let rest = Array(arguments.dropFirst(2))
        try cat(directory: directory, epochs: rest.first.flatMap { Int($0) } ?? 2500,
                threads: rest.count > 1 ? Int(rest[1]) ?? 2 : ProcessInfo.processInfo.activeProcessorCount)
    case "threshold":
        threshold()
    case "products":
        catProducts(threads: 1)
        catProducts(threads: 2)
    default:
        print("usage: lnet-bench-training moons [epochs] | cat DIR [epochs] [threads] | threshold")
    }
} catch {
    print("error: \(error)")
    exit(1)
}
