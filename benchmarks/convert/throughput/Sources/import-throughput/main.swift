import Foundation
import LNetStorage

// Reads every row of each file given and reports MB/s over the file size, the
// fastest of --repeat runs. CSV (scan pass + parse pass), .npy, .npz, and
// anything else as an IDX images file. --threads N parses each CSV chunk on N
// threads (CSVReader's parseThreads; `lnet convert` uses --threads, default 2).

var arguments = Array(CommandLine.arguments.dropFirst())
var repeats = 3
if let index = arguments.firstIndex(of: "--repeat"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) {
    repeats = n
    arguments.removeSubrange(index...(index + 1))
}
var threads = 1
if let index = arguments.firstIndex(of: "--threads"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) {
    threads = n
    arguments.removeSubrange(index...(index + 1))
}
guard !arguments.isEmpty else {
    print("usage: import-throughput [--repeat N] [--threads N] FILE...")
    exit(2)
}

/// CPU seconds (user + system) of this process: on a shared machine they
/// vary far less than wall time.
func cpuSeconds() -> Double {
    Double(clock()) / Double(CLOCKS_PER_SEC)
}

func drain(_ source: inout some RowSource) throws -> Int {
    var rows = 0
    while let chunk = try source.nextChunk(maxRows: 32_768) { rows += chunk.rowCount }
    return rows
}

for path in arguments {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    var best = Double.infinity
    var bestCPU = Double.infinity
    var bestScan = Double.infinity
    var rows = 0
    do {
        for _ in 0..<repeats {
            let start = Date()
            let cpuStart = cpuSeconds()
            if path.hasSuffix(".csv") || path.hasSuffix(".tsv") {
                var reader = try CSVReader(path: path, parseThreads: threads)
                bestScan = min(bestScan, Date().timeIntervalSince(start))
                rows = try drain(&reader)
            } else if path.hasSuffix(".npz") {
                var reader = try NumpyReader(npz: path)
                rows = try drain(&reader)
            } else if path.hasSuffix(".npy") {
                var reader = try NumpyReader(npy: path)
                rows = try drain(&reader)
            } else {
                // Anything else is taken as an IDX images file (gzipped or not).
                var reader = try IDXReader(images: path)
                rows = try drain(&reader)
            }
            best = min(best, Date().timeIntervalSince(start))
            bestCPU = min(bestCPU, cpuSeconds() - cpuStart)
        }
    } catch {
        print("error: \(error)")
        exit(1)
    }
    let megabytes = Double(size) / 1e6
    var line = String(format: "%@: %d rows, %.1f MB in %.3f s = %.1f MB/s", path, rows, megabytes, best, megabytes / best)
    line += String(format: " (CPU %.3f s = %.1f MB/s)", bestCPU, megabytes / bestCPU)
    if bestScan.isFinite { line += String(format: " (scan pass %.3f s = %.0f MB/s)", bestScan, megabytes / bestScan) }
    print(line)
}
