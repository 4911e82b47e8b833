#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes rows as CSV: `lnet convert DATA.h5 OUT.csv` (any input `convert`
/// reads works, e.g. MNIST IDX or `.npy`).
///
/// Layout: a header `f0,f1,…,f{n−1},label` (no `label` column when the input
/// has no labels), then one line per example: its features flattened in C
/// order (so an (m, 64, 64, 3) image dataset gives 12288 columns), then its
/// class id. Labels are written as ids, not class names, so that reading the
/// CSV back gives the same ids (names would be renumbered in sorted order).
/// Integers are written in decimal; floats in the shortest form that reads
/// back to the same value (`0.1`, `1e-05`, `nan`, `inf`), which
/// `lnet convert`, numpy and pandas all parse exactly. Lines end with `\n`.
public enum CSVExport {
    /// Writes what `produce` delivers to `path` atomically. Returns the rows
    /// written and whether there were labels.
    static func write(
        rowLength: Int, featureType: FeatureElementType, to path: String, produce: () throws -> RowChunk?
    ) throws -> (rows: Int, hasLabels: Bool) {
        var result = (rows: 0, hasLabels: false)
        try AtomicFile.replace(path) { temporary in
            do {
                result = try withoutActuallyEscaping(produce) { produce in
                    try featureType.accept(Formatter(rowLength: rowLength, temporary: temporary, produce: produce))
                }
            } catch {
                throw RenamedError.wrap(error, temporaries: [(temporary, path)])
            }
        }
        return result
    }

    private struct Formatter: FeatureElementVisitor {
        let rowLength: Int
        let temporary: String
        let produce: () throws -> RowChunk?

        func visit<T: FeatureElement>(_ type: T.Type) throws -> (rows: Int, hasLabels: Bool) {
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw ConversionError(file: temporary, problem: "cannot create: \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            var buffer = [UInt8]()
            buffer.reserveCapacity(1 << 20)
            func flush() throws {
                try buffer.withUnsafeBytes { try writeAll(descriptor, $0, reportedAs: temporary) }
                buffer.removeAll(keepingCapacity: true)
            }
            var rows = 0
            var hasLabels = false
            var wroteHeader = false
            while let chunk = try produce() {
                guard let values = T.values(in: chunk.features), values.count == chunk.rowCount * rowLength else {
                    throw ConversionError(file: temporary, problem: "a chunk does not match the source's element type or row length")
                }
                if !wroteHeader {
                    hasLabels = chunk.labels != nil
                    let names = (0..<rowLength).map { "f\($0)" } + (hasLabels ? ["label"] : [])
                    buffer.append(contentsOf: names.joined(separator: ",").utf8)
                    buffer.append(UInt8(ascii: "\n"))
                    wroteHeader = true
                }
                for row in 0..<chunk.rowCount {
                    let base = row * rowLength
                    for column in 0..<rowLength {
                        if column > 0 { buffer.append(UInt8(ascii: ",")) }
                        buffer.append(contentsOf: values[base + column].csvText.utf8)
                    }
                    if let labels = chunk.labels {
                        buffer.append(UInt8(ascii: ","))
                        buffer.append(contentsOf: String(labels[row]).utf8)
                    }
                    buffer.append(UInt8(ascii: "\n"))
                    if buffer.count >= 1 << 20 { try flush() }
                }
                rows += chunk.rowCount
            }
            try flush()
            return (rows, hasLabels)
        }
    }
}
