extension HDF5FileTree {
    /// The tree as text, in the spirit of `h5ls -r -v`: one line per object
    /// with its path and kind (and for datasets the shape as h5ls writes it,
    /// `{209, 64, 64, 3}`, `{3/Inf, 3}` when extendable, `{SCALAR}`), then
    /// indented lines for the type, the storage and each attribute.
    /// `statistics` (by path) adds a `Stats:` line under those datasets.
    public func renderText(statistics: [String: TensorStatistics] = [:]) -> String {
        var lines: [String] = []
        for object in objects {
            let name = object.path.padding(toAtLeast: 24)
            switch object.kind {
            case .group:
                lines.append(name + " Group" + (object.sameAs.map { ", same as \($0)" } ?? ""))
            case .dataset:
                lines.append(name + " Dataset " + Self.extent(object.shape ?? [], object.maxShape))
                if let type = object.elementType {
                    lines.append("    Type:      " + Self.typeText(type))
                }
                lines.append("    Storage:   " + Self.storageText(object))
                if let stats = statistics[object.path] {
                    lines.append("    Stats:     " + stats.summaryText)
                }
            case .other:
                lines.append(name + " Other (a named datatype, or a link that does not resolve)")
            }
            for attribute in object.attributes {
                let value = attribute.value.map(\.description) ?? "<unreadable: \(attribute.problem ?? "unknown reason")>"
                lines.append("    Attribute: \(attribute.name) = \(value)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// h5ls's extent notation.
    static func extent(_ shape: [Int], _ maxShape: [Int?]?) -> String {
        if shape.isEmpty { return "{SCALAR}" }
        let dims = shape.indices.map { index -> String in
            guard let maxShape, index < maxShape.count else { return String(shape[index]) }
            switch maxShape[index] {
            case nil: return "\(shape[index])/Inf"
            case let limit? where limit != shape[index]: return "\(shape[index])/\(limit)"
            default: return String(shape[index])
            }
        }
        return "{" + dims.joined(separator: ", ") + "}"
    }

    static func typeText(_ type: HDF5ElementType) -> String {
        switch type {
        case .fixedString(let length): "\(type.numpyName) (fixed-length string, \(length) bytes)"
        case .variableString: "\(type.numpyName) (variable-length string)"
        case .bool: "bool (h5py enum over int8)"
        default: type.numpyName
        }
    }

    static func storageText(_ object: Object) -> String {
        var parts: [String] = []
        switch object.layout {
        case .chunked?: parts.append("chunked " + (object.chunkShape.map { "{" + $0.map(String.init).joined(separator: ", ") + "}" } ?? ""))
        case let layout?: parts.append(layout.rawValue)
        case nil: break
        }
        if !object.filters.isEmpty {
            parts.append("filters " + object.filters.map(\.description).joined(separator: ", "))
        }
        if let size = object.storageSize {
            parts.append("\(size) bytes in file")
        }
        return parts.joined(separator: "; ")
    }
}

private extension String {
    func padding(toAtLeast width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
