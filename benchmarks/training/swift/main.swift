// Times LNetTraining's TrainingSession on the course's two reference models.
//
//   lnet-bench-training moons [epochs]              moons, all three optimizers
//   lnet-bench-training cat DIR [epochs] [threads]  cat model; DIR holds the raw files
//                                                   dump_cat.py writes
//   lnet-bench-training threshold                   loop-vs-BLIS product timings
//
// Build with `swift build -c release --product lnet-bench-training`; run.sh does it all.
import Foundation
import LNetTraining

struct BenchmarkFailure: Error, CustomStringConvertible { let description: String }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
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
        var session: TrainingSession?
        for _ in 0..<5 {
            let run = try TrainingSession(configuration: configuration, data: data)
            best = min(best, try seconds { try run.run() })
            session = run
        }
        guard let session else { continue }
        let accuracy = try session.network.accuracy(on: data)
        let costs = session.costs
        print(String(format: "moons %-8@ %d epochs: best of 5 %.4f s  cost[0] %.6f  cost[1000] %.6f  cost[2000] %.6f  accuracy %.4f",
                     name as NSString, epochs, best, costs.first ?? .nan,
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
    let elapsed = try seconds { try session.run() }
    let network = try session.network
    let costs = session.costs
    print(String(format: "cat %d epochs, %d BLIS threads (%@): %.3f s  cost[0] %.6f  cost[100] %.6f  cost[last] %.6f  train acc %.4f  test acc %.4f",
                 epochs, BLAS.threads, BLAS.kernelName as NSString, elapsed, costs.first ?? .nan,
                 costs.count > 100 ? costs[100] : .nan, costs.last ?? .nan,
                 try network.accuracy(on: train), try network.accuracy(on: test)))
}

/// Times C = A·B for square-ish small shapes through the loop path and through BLIS.
func threshold() {
    let shapes: [(Int, Int, Int)] = [(1, 64, 2), (2, 64, 5), (5, 64, 2), (5, 2, 64), (2, 5, 64), (8, 64, 8), (16, 16, 16),
                                     (8, 64, 16), (20, 64, 20), (32, 32, 32), (16, 64, 32), (20, 209, 7), (64, 64, 64)]
    print("   m    n    k   m·n·k   loop µs   BLIS µs")
    for (m, n, k) in shapes {
        let a = UnsafeMutablePointer<Double>.allocate(capacity: m * k)
        let b = UnsafeMutablePointer<Double>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Double>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(m * k) { a[i] = Double(i % 7) - 3 }
        for i in 0..<(k * n) { b[i] = Double(i % 5) - 2 }
        let repeats = max(200, 2_000_000 / max(m * n * k, 1))
        func time(_ body: () -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<5 {
                let elapsed = seconds { for _ in 0..<repeats { body() } }
                best = min(best, elapsed / Double(repeats) * 1e6)
            }
            return best
        }
        let loop = time { BLAS.loopGemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: c, ldc: n) }
        let blis = time { BLAS.blisGemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: c, ldc: n) }
        print(String(format: "%4d %4d %4d %7d %9.3f %9.3f", m, n, k, m * n * k, loop, blis))
    }
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
    default:
        print("usage: lnet-bench-training moons [epochs] | cat DIR [epochs] [threads] | threshold")
    }
} catch {
    print("error: \(error)")
    exit(1)
}
