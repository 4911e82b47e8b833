import Foundation

/// What `lnet inspect` shows of a safetensors file: the header (its length, the data's size), the `__metadata__`,
/// every tensor with its dtype, shape and byte range, with `statistics` their min, max, mean, std, L2 norm and NaN/Inf
/// counts, or one tensor's values as numpy prints them.
public struct SafetensorsReport: Sendable {
    /// The file, opened and validated.
    public let file: SafetensorsFile
    /// Per tensor, in data order, when statistics were asked for (nil for a dtype LNet does not convert).
    public let statistics: [TensorStatistics?]?
    /// The one tensor asked for, and its values as numpy prints them.
    public let tensor: (entry: SafetensorsHeader.Entry, text: String, values: [Double])?

    /// Reads the file at `path`; with `tensor`, that tensor's values; with `statistics`, every tensor's statistics.
    public init(path: String, tensor name: String?, statistics: Bool) throws {
        let file = try SafetensorsFile.open(path)
        self.file = file
        if let name {
            guard let entry = file.header.entry(named: name) else {
                throw SafetensorsError(path: path, problem: .tensorNotFound(name))
            }
            let values = try file.values(of: entry)
            let text = NumpyArrayFormatter.format(doubles: values, shape: entry.shape, float32: entry.dtype == .f32 || entry.dtype == .f16 || entry.dtype == .bf16)
            tensor = (entry, text, values)
        } else {
            tensor = nil
        }
        if statistics {
            // One tensor at a time: memory is the largest tensor, not the file.
            self.statistics = try file.header.entries.map { entry in
                entry.dtype.isConvertible ? TensorStatistics(values: try file.values(of: entry)) : nil
            }
        } else {
            self.statistics = nil
        }
    }

    private static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// The text `lnet inspect` prints.
    public func renderText() -> String {
        if let tensor { return tensor.text + "\n" }
        let header = file.header
        var lines = [
            "safetensors file \(file.path)",
            "  header      \(file.headerLength) bytes (limit \(SafetensorsHeader.maximumLength))",
            "  data        \(header.dataLength) bytes in \(header.entries.count) tensor\(header.entries.count == 1 ? "" : "s")",
        ]
        if let metadata = header.metadata, !metadata.isEmpty {
            lines.append("  metadata")
            let width = metadata.map(\.key.count).max() ?? 0
            for (key, value) in metadata {
                lines.append("    " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
            }
        } else {
            lines.append("  metadata    none")
        }
        var rows: [[String]] = [["tensor", "dtype", "shape", "offsets"]]
        if statistics != nil { rows[0] += ["min", "max", "mean", "std", "L2 norm", "NaN", "Inf"] }
        for (index, entry) in header.entries.enumerated() {
            var row = [entry.name, entry.dtype.rawValue, Self.shapeText(entry.shape), "[\(entry.begin), \(entry.end))"]
            if let statistics {
                if let stats = statistics[index] {
                    func number(_ value: Double?) -> String { value.map { String(format: "%.6g", $0) } ?? "-" }
                    row += [number(stats.min), number(stats.max), number(stats.mean), number(stats.std), number(stats.l2Norm),
                            String(stats.nanCount), String(stats.infinityCount)]
                } else {
                    row += Array(repeating: "-", count: 7)
                }
            }
            rows.append(row)
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        lines.append("")
        for row in rows {
            lines.append(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON `lnet inspect --json` prints: `{"file", "format": "safetensors", "header_length", "data_length",
    /// "metadata", "tensors": [{"name", "dtype", "shape", "data_offsets", "stats"?}], "tensor"?, "values"?}`.
    public func renderJSON() -> String {
        let header = file.header
        var fields: [(String, JSON)] = [
            ("file", .string(file.path)),
            ("format", .string("safetensors")),
            ("header_length", .int(file.headerLength)),
            ("data_length", .int(header.dataLength)),
            ("metadata", header.metadata.map { pairs in .object(pairs.map { ($0.key, JSON.string($0.value)) }) } ?? .null),
        ]
        fields.append(("tensors", .array(header.entries.enumerated().map { index, entry in
            var object: [(String, JSON)] = [
                ("name", .string(entry.name)), ("dtype", .string(entry.dtype.rawValue)),
                ("shape", .array(entry.shape.map(JSON.int))), ("data_offsets", .array([.int(entry.begin), .int(entry.end)])),
            ]
            if let statistics {
                if let stats = statistics[index] {
                    object.append(("stats", .object([
                        ("min", stats.min.map(JSON.double) ?? .null), ("max", stats.max.map(JSON.double) ?? .null),
                        ("mean", stats.mean.map(JSON.double) ?? .null), ("std", stats.std.map(JSON.double) ?? .null),
                        ("l2_norm", stats.l2Norm.map(JSON.double) ?? .null),
                        ("nan", .int(stats.nanCount)), ("inf", .int(stats.infinityCount)),
                    ])))
                } else {
                    object.append(("stats", .null))
                }
            }
            return .object(object)
        })))
        if let tensor {
            fields.append(("tensor", .string(tensor.entry.name)))
            fields.append(("values", .array(tensor.values.map(JSON.double))))
        }
        return JSON.object(fields).rendered() + "\n"
    }
}
