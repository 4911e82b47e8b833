// Times CheckpointFile.write (atomic: temporary file, fsync, rename, fsync of
// the folder) and CheckpointFile.read (which validates the file against
// formats/checkpoint.md) on the course's cat model with Adam state
// (layers 12288, 20, 7, 5, 1), the same layout bench_h5py.py writes with h5py.
//
//   lnet-bench-checkpoint [--repeat N] [--dir DIR] [--json]
//   lnet-bench-checkpoint --fingerprint DATA.h5 [--repeat N] [--json]
//   lnet-bench-checkpoint --safetensors [--repeat N] [--dir DIR] [--json]
//
// The second form times the data fingerprint a checkpoint records (SHA-256 over
// x and y, formats/dataset.md) instead; benchmarks/fingerprint/compare.py runs it
// beside h5py + hashlib. The third times `lnet export --optimizer` and `lnet
// import` of the same checkpoint as .safetensors (the model and its Adam state
// to and from the file, atomic and fsync'd on writing, validated on reading);
// benchmarks/safetensors/compare.py runs it beside safetensors.torch.
//
// Prints the median (and minimum) over N repetitions of each, and the file's size.
// Build with `swift build -c release --product lnet-bench-checkpoint`; compare.py
// runs it beside bench_h5py.py.
import Foundation
import LNetStorage

struct BenchmarkFailure: Error, CustomStringConvertible { let description: String }

/// A reproducible generator (splitmix64), so every run writes the same values.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func real() -> Double { Double(next() >> 11) / Double(1 << 52) - 1 }
}

func catCheckpoint() -> Checkpoint {
    let dims = [12288, 20, 7, 5, 1]
    var random = SplitMix(state: 1)
    let shapes = Checkpoint.expectedShapes(layerDims: dims)
    func tensors(_ prefix: String, _ transform: (Double) -> Double) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in shapes.keys.sorted() {
            guard let shape = shapes[name] else { continue }
            let count = shape.reduce(1, *)
            result[prefix + name] = Tensor(shape: shape, values: (0..<count).map { _ in transform(random.real()) })
        }
        return result
    }
    let parameters = tensors("") { $0 * 0.01 }
    let v = tensors("d") { $0 * 1e-3 }
    let s = tensors("d") { $0 * $0 * 1e-6 }
    let model = Checkpoint.Model(
        layerDims: dims, activations: ["relu", "relu", "relu", "sigmoid"], loss: "binary_cross_entropy",
        initialization: "deep", classes: ["non-cat", "cat"], inputDivisor: 255)
    let optimizer = Checkpoint.Optimizer(
        name: "adam", learningRate: 0.0075, learningRate0: 0.0075, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, t: 400,
        v: v, s: s)
    let key = (0..<624).map { _ in UInt32(truncatingIfNeeded: random.next()) }
    let costs = (0..<100).map { 0.7 * exp(-Double($0) / 50) }
    let training = Checkpoint.Training(
        epoch: 100, epochsTarget: 2500, seed: 1, shuffleSeed: 10, batchSize: 64, l2: 0, keepProb: 1,
        data: "/data/train_catvnoncat.h5", xName: "train_set_x", yName: "train_set_y",
        dataSHA256: String(repeating: "0123456789abcdef", count: 4),
        generator: Checkpoint.GeneratorState(key: key, position: 624, hasGauss: false, gauss: 0), costs: costs)
    return Checkpoint(createdBy: "lnet-bench-checkpoint", model: model, parameters: parameters, optimizer: optimizer,
                      training: training)
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func main() throws {
    var repeats = 20
    var folder = NSTemporaryDirectory()
    var json = false
    var fingerprintFile: String?
    var safetensors = false
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        switch argument {
        case "--repeat":
            guard let text = arguments.next(), let value = Int(text), value > 0 else {
                throw BenchmarkFailure(description: "--repeat needs a positive count")
            }
            repeats = value
        case "--dir":
            guard let text = arguments.next() else { throw BenchmarkFailure(description: "--dir needs a folder") }
            folder = text
        case "--json": json = true
        case "--safetensors": safetensors = true
        case "--fingerprint":
            guard let text = arguments.next() else { throw BenchmarkFailure(description: "--fingerprint needs a dataset file") }
            fingerprintFile = text
        default:
            throw BenchmarkFailure(description: "usage: lnet-bench-checkpoint [--repeat N] [--dir DIR] [--json] [--fingerprint DATA.h5]")
        }
    }
    if safetensors {
        try timeSafetensors(folder: folder, repeats: repeats, json: json)
        return
    }
    if let fingerprintFile {
        try timeFingerprint(of: fingerprintFile, repeats: repeats, json: json)
        return
    }
    let path = URL(fileURLWithPath: folder).appendingPathComponent("lnet-bench-checkpoint-\(getpid()).h5").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let checkpoint = catCheckpoint()
    // One untimed round, so the first timed one does not pay for loading the library.
    try CheckpointFile.write(checkpoint, to: path)
    guard try CheckpointFile.read(from: path) == checkpoint else {
        throw BenchmarkFailure(description: "the checkpoint read back differs from the one written")
    }
    var writes: [Double] = []
    var reads: [Double] = []
    for _ in 0..<repeats {
        let start = now()
        try CheckpointFile.write(checkpoint, to: path)
        let written = now()
        let back = try CheckpointFile.read(from: path)
        let done = now()
        guard back.parameters.count == 8 else { throw BenchmarkFailure(description: "read back \(back.parameters.count) parameters") }
        writes.append(written - start)
        reads.append(done - written)
    }
    // The settings checksum alone (formats/checkpoint.md, "Integrity"): every save computes it
    // once and every read once, over the attributes and /training/costs and rng_key.
    var digests: [Double] = []
    let file = try HDF5File.open(at: path)
    for _ in 0..<repeats {
        let start = now()
        _ = try SettingsChecksum.digest(of: file)
        digests.append(now() - start)
    }
    try file.close()
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    let bytes = (attributes[.size] as? NSNumber)?.intValue ?? 0
    if json {
        print("""
        {"tool": "lnet", "repeat": \(repeats), "bytes": \(bytes), \
        "write_median_s": \(median(writes)), "write_min_s": \(writes.min() ?? .nan), \
        "read_median_s": \(median(reads)), "read_min_s": \(reads.min() ?? .nan), \
        "settings_digest_median_s": \(median(digests))}
        """)
    } else {
        print(String(format: "lnet  %.2f MB: write (fsync'd) median %.2f ms (min %.2f); read (validated) median %.2f ms (min %.2f); settings checksum median %.3f ms; %d repetitions",
                     Double(bytes) / 1e6, median(writes) * 1e3, (writes.min() ?? .nan) * 1e3,
                     median(reads) * 1e3, (reads.min() ?? .nan) * 1e3, median(digests) * 1e3, repeats))
    }
}

/// Times the export of the cat checkpoint with its Adam state to .safetensors (checkpoint → InterchangeModel → file,
/// atomically, fsync'd) and its import (file → validated header → InterchangeModel → Checkpoint). Leaves the file as
/// DIR/lnet-bench.safetensors for the baseline to read and write the same tensors.
func timeSafetensors(folder: String, repeats: Int, json: Bool) throws {
    let path = URL(fileURLWithPath: folder).appendingPathComponent("lnet-bench.safetensors").path
    let checkpoint = catCheckpoint()
    let options = InterchangeWriteOptions(dtype: .float64)
    func export() throws {
        let model = try InterchangeModel(checkpoint: checkpoint, includingOptimizer: true)
        try InterchangeFormat.safetensors.write(model, to: path, options: options)
    }
    func importBack() throws -> Checkpoint {
        try InterchangeFormat.safetensors.read(from: path, options: InterchangeReadOptions()).model.checkpoint()
    }
    // One untimed round, and the round trip checked: the import must give back the very checkpoint.
    try export()
    var expected = checkpoint
    expected.createdBy = "lnet-bench-checkpoint"
    guard try importBack() == expected else {
        throw BenchmarkFailure(description: "the checkpoint imported back differs from the one exported")
    }
    var writes: [Double] = []
    var reads: [Double] = []
    for _ in 0..<repeats {
        let start = now()
        try export()
        let written = now()
        let back = try importBack()
        let done = now()
        guard back.parameters.count == 8, back.optimizer?.s.count == 8 else { throw BenchmarkFailure(description: "imported too little") }
        writes.append(written - start)
        reads.append(done - written)
    }
    let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    if json {
        print("""
        {"tool": "lnet", "repeat": \(repeats), "bytes": \(bytes), "path": "\(path)", \
        "write_median_s": \(median(writes)), "write_min_s": \(writes.min() ?? .nan), \
        "read_median_s": \(median(reads)), "read_min_s": \(reads.min() ?? .nan)}
        """)
    } else {
        print(String(format: "lnet  %.2f MB safetensors: export (fsync'd) median %.2f ms; import (validated) median %.2f ms; %d repetitions",
                     Double(bytes) / 1e6, median(writes) * 1e3, median(reads) * 1e3, repeats))
    }
}

/// Times `DatasetFile.fingerprint()` (reading x and y a block at a time and digesting them).
func timeFingerprint(of path: String, repeats: Int, json: Bool) throws {
    var times: [Double] = []
    var digest = ""
    for _ in 0..<repeats {
        let start = now()
        let file = try DatasetFile(path: path)
        digest = try file.fingerprint()
        try file.close()
        times.append(now() - start)
    }
    let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    if json {
        print("{\"tool\": \"lnet\", \"repeat\": \(repeats), \"bytes\": \(bytes), \"fingerprint_min_s\": \(times.min() ?? .nan), \"sha256\": \"\(digest)\"}")
    } else {
        print(String(format: "lnet  fingerprint of %.1f MB: min %.3f s (%.0f MB/s), %@", Double(bytes) / 1e6, times.min() ?? .nan,
                     Double(bytes) / (times.min() ?? .nan) / 1e6, digest))
    }
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
