// lnet-fuzz: a seeded mutation loop over LNet's own parsers and validators.
//
// usage: lnet-fuzz --seeds DIR [--iterations N] [--seed S] [--crashes DIR]
//
// DIR holds valid seed files (scripts/fuzz writes them): *.csv, *.tsv,
// *.npy, *.npz, *-ubyte / *.gz (IDX), *.safetensors and ckpt*.h5 (an LNet
// checkpoint). A safetensors mutant goes through the header's parser and
// validation, every tensor's values, and the model reader of `lnet import`.
// A Keras seed (*.keras, *.config.json) is read as `lnet import` reads it: a
// mutated archive through libzip, the config and the weights; a mutated
// config.json through the config reader alone (an archive's stored members
// carry CRC-32s, so byte mutations of the whole archive rarely reach the JSON).
// Each iteration picks a seed file, mutates it (bit flips, byte overwrites,
// truncation, splices, 0xFF runs over likely size fields, repeated
// chunks), writes it to a scratch file and reads it through the parser,
// which must return rows or throw an error, never trap. Checkpoints are
// mutated at the level LNet validates, not libhdf5's: an attribute or a
// dataset is rewritten with a value of a random type and shape, and
// CheckpointFile.verify and read must report, not trap. (libhdf5's own
// byte-level robustness is measured by scripts/mutate-hdf5.py in a child
// process instead: a crash there would end this loop.)
//
// Before each read the mutant is saved as CRASH_DIR/current-<kind>; a trap
// leaves it there to replay. Prints iterations and outcomes per kind.
import Foundation
import LNetStorage

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func argument(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

guard let seedsPath = argument("--seeds") else {
    FileHandle.standardError.write(Data("usage: lnet-fuzz --seeds DIR [--iterations N] [--seed S] [--crashes DIR]\n".utf8))
    exit(64)
}
let iterations = argument("--iterations").flatMap(Int.init) ?? 10_000
var rng = SplitMix64(state: argument("--seed").flatMap(UInt64.init) ?? 1)
let crashes = argument("--crashes") ?? NSTemporaryDirectory()
try FileManager.default.createDirectory(atPath: crashes, withIntermediateDirectories: true)

enum Kind: String, CaseIterable { case csv, npy, npz, idx, safetensors, keras, kerasConfig, checkpoint, jpeg, png, exif }

func kind(of name: String) -> Kind? {
    if name.hasPrefix("ckpt") && name.hasSuffix(".h5") { return .checkpoint }
    if name.hasSuffix(".csv") || name.hasSuffix(".tsv") { return .csv }
    if name.hasSuffix(".npy") { return .npy }
    if name.hasSuffix(".npz") { return .npz }
    if name.hasSuffix(".safetensors") { return .safetensors }
    if name.hasSuffix(".keras") { return .keras }
    if name.hasSuffix(".config.json") { return .kerasConfig }
    if name.hasSuffix("-ubyte") || name.hasSuffix("-ubyte.gz") { return .idx }
    if name.hasSuffix(".jpg") { return .jpeg }
    if name.hasSuffix(".png") { return .png }
    if name.hasSuffix(".exif") { return .exif }
    return nil
}

let seedFiles: [(kind: Kind, name: String, bytes: [UInt8])] = try FileManager.default
    .contentsOfDirectory(atPath: seedsPath).sorted().compactMap { name in
        guard let kind = kind(of: name), !name.contains("labels") else { return nil }
        return (kind, name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: seedsPath).appendingPathComponent(name))))
    }
guard !seedFiles.isEmpty else {
    FileHandle.standardError.write(Data("no seed files in \(seedsPath)\n".utf8))
    exit(1)
}
let labelsFile = try FileManager.default.contentsOfDirectory(atPath: seedsPath)
    .first { $0.contains("labels") && $0.hasSuffix("-ubyte") }
    .map { URL(fileURLWithPath: seedsPath).appendingPathComponent($0).path }

func mutate(_ original: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
    var bytes = original
    for _ in 0..<Int.random(in: 1...3, using: &rng) {
        switch Int.random(in: 0..<7, using: &rng) {
        case 0 where !bytes.isEmpty:
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            }
        case 1 where !bytes.isEmpty:
            let at = Int.random(in: 0..<min(bytes.count, 256), using: &rng)
            bytes[at] = UInt8.random(in: 0...255, using: &rng)
        case 2:
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
        case 3 where bytes.count > 8:
            // 0xFF or 0x7F runs over what may be a size or count field.
            let at = Int.random(in: 0..<(bytes.count - 8), using: &rng)
            let fill: UInt8 = Bool.random(using: &rng) ? 0xFF : 0x7F
            for k in 0..<Int.random(in: 1...8, using: &rng) { bytes[at + k] = fill }
        case 4 where bytes.count > 2:
            let from = Int.random(in: 0..<bytes.count, using: &rng)
            let length = Int.random(in: 1...min(64, bytes.count - from), using: &rng)
            let to = Int.random(in: 0...bytes.count, using: &rng)
            bytes.insert(contentsOf: bytes[from..<(from + length)], at: to)
        case 5 where !bytes.isEmpty:
            // Text-level: interesting characters for CSV and the .npy header.
            let pieces: [String] = [",", "\"", "\n", "\r\n", "nan", "-inf", "1e999", "'", "{", "}", "(", ")", "\0", "é", "0x", "\t", "True", "<f8", "|O", ">i4",
                                    "[", "]", "\\u", "\\ud800", "F4", "BF16", "__metadata__", "18446744073709551615", "-1", "1.5"]
            let piece = Array(pieces[Int.random(in: 0..<pieces.count, using: &rng)].utf8)
            bytes.insert(contentsOf: piece, at: Int.random(in: 0...bytes.count, using: &rng))
        case 6 where !bytes.isEmpty:
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...32, using: &rng)))
        default:
            break
        }
    }
    return bytes
}

/// Reads every row; true when the parser finished or threw, which is all we ask.
func drain(_ open: () throws -> any RowSource) -> String {
    do {
        var source = try open()
        var rows = 0
        while let chunk = try source.nextChunk(maxRows: 97) {
            rows += chunk.rowCount
            if rows > 5_000_000 { return "rows" }
        }
        return "rows"
    } catch {
        return "error"
    }
}

/// Opens a safetensors mutant, reads every tensor it declares and the model `lnet import` would take from it.
func drainSafetensors(_ path: String) -> String {
    do {
        let file = try SafetensorsFile.open(path, memoryLimit: 1 << 28)
        for entry in file.header.entries where entry.dtype.isConvertible { _ = try? file.values(of: entry) }
        _ = try? SafetensorsInterchange.read(from: path, options: InterchangeReadOptions(activations: nil))
        _ = try? SafetensorsInterchange.read(from: path, options: InterchangeReadOptions(activations: ["relu", "relu", "relu", "sigmoid"]))
        return "valid"
    } catch {
        return "refused"
    }
}

/// Decodes an image through libjpeg-turbo or libpng and resizes it as Pillow
/// would; the decoders' errors must come back as errors, never end the process.
/// The pixel limit is lowered so that a mutated size field costs little time.
func decodeImage(_ path: String, with imageDecoder: ImageDecoder?) -> String {
    guard let imageDecoder else { return "no decoder" }
    do {
        let image = try imageDecoder.decode(file: path)
        _ = PillowResize.resize(image, width: 16, height: 16)
        return "decoded"
    } catch {
        return "error"
    }
}

/// Rewrites one attribute or dataset of a copy of the checkpoint with a random value, then validates it.
func fuzzCheckpoint(_ path: String, _ rng: inout SplitMix64) -> String {
    do {
        let file = try HDF5File.open(at: path, mode: .readWrite)
        let groups = ["/", "/model", "/optimizer", "/training"]
        let group = try file.group(at: groups[Int.random(in: 0..<groups.count, using: &rng)])
        let names = try group.attributes.names()
        let weird: [Int64] = [0, 1, -1, 2, 3, Int64.max, Int64.min, 1 << 40, 625, -5, 99]
        let doubles: [Double] = [0, -1, .nan, .infinity, -.infinity, 1e308, 5e-324, 0.5]
        let value: AttributeValue
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: value = .int64(weird[Int.random(in: 0..<weird.count, using: &rng)])
        case 1: value = .float64(doubles[Int.random(in: 0..<doubles.count, using: &rng)])
        case 2: value = .string(["", "adam", "gd", "momentum", "softmax", "relu", "lnet-checkpoint", "\u{0}", String(repeating: "x", count: 300)][Int.random(in: 0..<9, using: &rng)])
        case 3: value = .int64Array((0..<Int.random(in: 0...6, using: &rng)).map { _ in weird[Int.random(in: 0..<weird.count, using: &rng)] })
        case 4: value = .stringArray((0..<Int.random(in: 0...5, using: &rng)).map { _ in ["relu", "sigmoid", "softmax", "tanh", "bogus", ""][Int.random(in: 0..<6, using: &rng)] })
        case 5: value = .float64Array((0..<Int.random(in: 0...4, using: &rng)).map { _ in doubles[Int.random(in: 0..<doubles.count, using: &rng)] })
        case 6: value = .uint8(UInt8.random(in: 0...255, using: &rng))
        default: value = .bool(Bool.random(using: &rng))
        }
        if !names.isEmpty, Int.random(in: 0..<5, using: &rng) == 0 {
            try group.attributes.delete(names[Int.random(in: 0..<names.count, using: &rng)])
        } else {
            let name = names.isEmpty || Int.random(in: 0..<10, using: &rng) == 0
                ? ["layer_dims", "t", "epoch", "format_version", "rng_pos", "batch_size"][Int.random(in: 0..<6, using: &rng)]
                : names[Int.random(in: 0..<names.count, using: &rng)]
            try group.attributes.write(name, value)
        }
        try file.close()
    } catch {
        return "unwritable"
    }
    let report = CheckpointFile.verify(path: path)
    _ = try? CheckpointFile.read(from: path)
    // inspect's summary reads the same attributes with its own code.
    if let file = try? HDF5File.open(at: path) {
        _ = try? CheckpointSummary(reading: file, statistics: true)
        try? file.close()
    }
    return report.problems.isEmpty ? "valid" : "refused"
}

var outcomes: [Kind: [String: Int]] = [:]
let imageDecoder = ImageDecoder(options: ImageDecodingOptions(maxPixels: 4 << 20, appliesEXIFOrientation: true))
let scratch = URL(fileURLWithPath: crashes)
let started = Date()
for iteration in 0..<iterations {
    let seed = seedFiles[Int.random(in: 0..<seedFiles.count, using: &rng)]
    let suffix = seed.name.hasSuffix(".gz") ? "-ubyte.gz" : (seed.name as NSString).pathExtension.isEmpty ? "-ubyte" : "." + (seed.name as NSString).pathExtension
    let path = scratch.appendingPathComponent("current-\(seed.kind.rawValue)\(suffix)").path
    let bytes = seed.kind == .checkpoint ? seed.bytes : mutate(seed.bytes, &rng)
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    let outcome: String
    switch seed.kind {
    case .csv: outcome = drain { try CSVReader(path: path) }
    case .npy: outcome = drain { try NumpyReader(npy: path) }
    case .npz: outcome = drain { try NumpyReader(npz: path) }
    case .idx: outcome = drain { try IDXReader(images: path, labels: Bool.random(using: &rng) ? labelsFile : nil) }
    case .safetensors: outcome = drainSafetensors(path)
    case .keras: outcome = (try? KerasInterchange.readArchive(from: path, options: InterchangeReadOptions(), memoryLimit: 1 << 28)) == nil ? "refused" : "valid"
    case .kerasConfig: outcome = (try? KerasInterchange.readConfig(bytes, path: path)) == nil ? "refused" : "valid"
    case .checkpoint: outcome = fuzzCheckpoint(path, &rng)
    case .jpeg, .png: outcome = decodeImage(path, with: imageDecoder)
    case .exif: outcome = EXIFOrientation(tiff: bytes).map { "orientation \($0.rawValue)" } ?? "none"
    }
    outcomes[seed.kind, default: [:]][outcome, default: 0] += 1
    if (iteration + 1) % 5000 == 0 {
        print("\(iteration + 1) iterations, \(Int(Date().timeIntervalSince(started))) s")
    }
}
for kind in Kind.allCases {
    guard let counts = outcomes[kind] else { continue }
    print("\(kind.rawValue): " + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
}
print("\(iterations) iterations in \(String(format: "%.1f", Date().timeIntervalSince(started))) s, 0 crashes (a crash ends this process)")
