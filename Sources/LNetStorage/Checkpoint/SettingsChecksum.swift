/// The settings checksum of a checkpoint, the root attribute `settings_sha256`
/// (formats/checkpoint.md, "Integrity").
///
/// HDF5's fletcher32 filter covers the tensors but not attributes, so a bit
/// flipped in `beta1` or `learning_rate0` would be read as a valid setting.
/// This SHA-256 covers every attribute of `/`, `/model`, `/optimizer` and
/// `/training` (but itself) and the two small datasets resume restores whole,
/// `/training/costs` and `/training/rng_key`, and the test history
/// (`/training/test_epochs`, `test_costs`, `test_accuracy`) when present.
///
/// There is one walk, over the file: the writer runs ``digest(of:)`` on the
/// file it has just filled and every reader runs it on the file it opened, so
/// the checksum is computed from exactly the values stored, and an attribute a
/// later version adds is covered without a second list to keep in step.
/// The serialisation is simple enough to reproduce with h5py and hashlib
/// (Tests/interop/lnet_format.py does).
public enum SettingsChecksum {
    /// The root attribute that holds the checksum: 64 lowercase hexadecimal digits.
    public static let attributeName = "settings_sha256"
    /// The groups whose attributes are covered, in the order they are hashed.
    public static let coveredGroups = ["/", "/model", "/optimizer", "/training"]
    /// The datasets covered beside the attributes, in the order they are hashed, after every attribute.
    public static let coveredDatasets: [(group: String, name: String)] = [
        ("/training", "costs"), ("/training", "rng_key"),
        ("/training", "test_epochs"), ("/training", "test_costs"), ("/training", "test_accuracy"),
    ]

    /// An object the checksum covers cannot be read, so the checksum cannot be computed.
    public struct Unreadable: Error, CustomStringConvertible, Sendable {
        /// What could not be read, and why.
        public let description: String
    }

    /// Whether `text` has the form of a stored checksum: 64 lowercase hexadecimal digits.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The checksum of the settings `file` holds now, as 64 lowercase hexadecimal digits.
    public static func digest(of file: HDF5File) throws -> String {
        var records = CanonicalRecords()
        for path in coveredGroups where try file.exists(path) {
            let attributes = try file.group(at: path).attributes
            // Byte order of the UTF-8 names, as Python's sorted() on str gives (Swift's `<` on String does not).
            for name in try attributes.names().sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            where !(path == "/" && name == attributeName) {
                let value: AttributeValue
                do {
                    value = try attributes.read(name)
                } catch {
                    throw Unreadable(description: "attribute \(name) of \(path) cannot be read (\(error))")
                }
                records.append(origin: .attribute, group: path, name: name, value: CanonicalValue(value))
            }
        }
        for (group, name) in coveredDatasets where try file.exists("\(group)/\(name)") {
            let path = "\(group)/\(name)"
            do {
                let dataset = try file.dataset(at: path)
                records.append(origin: .dataset, group: group, name: name, value: try CanonicalValue(dataset))
            } catch let error as Unreadable {
                throw error
            } catch {
                throw Unreadable(description: "\(path) cannot be read (\(error))")
            }
        }
        var hash = try SHA256()
        records.bytes.withUnsafeBytes { hash.update($0) }
        return try hash.hexDigest()
    }
}

/// A value reduced to what the checksum sees: its kind, whether it is a
/// scalar, and its elements in the canonical width.
private struct CanonicalValue {
    enum Elements {
        case integers([Int64])
        case reals([Double])
        case booleans([Bool])
        case strings([String])
    }

    var isScalar: Bool
    var elements: Elements

    init(_ value: AttributeValue) {
        isScalar = value.isScalar
        switch value {
        case .int64, .int32, .uint8, .int64Array, .int32Array, .uint8Array:
            elements = .integers(value.int64ArrayValue ?? [])
        case .float64, .float32, .float64Array, .float32Array:
            elements = .reals(value.doubleArrayValue ?? [])
        case .bool, .boolArray:
            elements = .booleans(value.boolArrayValue ?? [])
        case .string, .stringArray:
            elements = .strings(value.stringArrayValue ?? [])
        }
    }

    init(_ dataset: HDF5Dataset) throws {
        isScalar = try dataset.shape.isEmpty
        let type = try dataset.elementType
        if type.isInteger {
            elements = .integers(try dataset.read(as: Int64.self))
        } else if type.isFloatingPoint {
            elements = .reals(try dataset.read(as: Double.self))
        } else if type == .bool {
            elements = .booleans(try dataset.read(as: Bool.self))
        } else if type.isString {
            elements = .strings(try dataset.readStrings())
        } else {
            throw SettingsChecksum.Unreadable(description: "\(dataset.path) holds \(type.numpyName) values, which the checksum cannot cover")
        }
    }
}

/// The byte string that is hashed (formats/checkpoint.md gives it byte for byte).
private struct CanonicalRecords {
    enum Origin: UInt8 {
        case attribute = 0x41  // "A"
        case dataset = 0x44  // "D"
    }

    private(set) var bytes: [UInt8] = []

    mutating func append(origin: Origin, group: String, name: String, value: CanonicalValue) {
        bytes.append(origin.rawValue)
        text(group)
        text(name)
        switch value.elements {
        case .integers(let values):
            header(kind: "i", value.isScalar, values.count)
            for value in values { number(UInt64(bitPattern: value)) }
        case .reals(let values):
            header(kind: "f", value.isScalar, values.count)
            for value in values { number(value.bitPattern) }
        case .booleans(let values):
            header(kind: "b", value.isScalar, values.count)
            bytes += values.map { $0 ? 1 : 0 }
        case .strings(let values):
            header(kind: "s", value.isScalar, values.count)
            for value in values { text(value) }
        }
    }

    private mutating func header(kind: Unicode.Scalar, _ isScalar: Bool, _ count: Int) {
        bytes.append(UInt8(ascii: kind))
        bytes.append(isScalar ? 0 : 1)
        number(UInt64(count))
    }

    /// Eight bytes, little-endian.
    private mutating func number(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    /// The UTF-8 byte count as eight bytes, little-endian, then the bytes.
    private mutating func text(_ value: String) {
        number(UInt64(value.utf8.count))
        bytes += value.utf8
    }
}
