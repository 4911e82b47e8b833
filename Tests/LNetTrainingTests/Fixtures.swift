import Foundation
@testable import LNetTraining

/// Reads the JSON fixtures that scripts/fixtures/make_numpy_fixtures.py wrote with numpy.
///
/// Decoded through `JSONDecoder`, whose number parsing is exact; corelibs'
/// `JSONSerialization` can be one ulp off, which would hide or fake bit differences.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Missing: Error, CustomStringConvertible { let description: String }

    /// A JSON value, numbers kept as `Double` (every integer in the fixtures fits exactly).
    enum Value: Decodable, Sendable {
        case number(Double), string(String), bool(Bool), array([Value]), object([String: Value]), null

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Double.self) { self = .number(value) }
            else if let value = try? container.decode(String.self) { self = .string(value) }
            else if let value = try? container.decode([Value].self) { self = .array(value) }
            else { self = .object(try container.decode([String: Value].self)) }
        }

        subscript(key: String) -> Value? {
            if case .object(let object) = self { return object[key] } else { return nil }
        }

        var array: [Value]? { if case .array(let a) = self { return a } else { return nil } }
        var double: Double? { if case .number(let d) = self { return d } else { return nil } }
        var int: Int? { double.map { Int($0) } }
        var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
        var string: String? { if case .string(let s) = self { return s } else { return nil } }
        var isNull: Bool { if case .null = self { return true } else { return false } }
    }

    static func load(_ name: String) throws -> Value {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(Value.self, from: data)
    }

    static func doubles(_ value: Value?, _ what: String = "value") throws -> [Double] {
        guard let items = value?.array else { throw Missing(description: "\(what) is not a list") }
        return try items.map { item in
            guard let d = item.double else { throw Missing(description: "\(what) holds a non-number") }
            return d
        }
    }

    static func ints(_ value: Value?, _ what: String = "value") throws -> [Int] {
        try doubles(value, what).map { Int($0) }
    }

    static func double(_ value: Value?, _ what: String = "value") throws -> Double {
        guard let d = value?.double else { throw Missing(description: "\(what) is not a number") }
        return d
    }

    static func list(_ value: Value?, _ what: String = "value") throws -> [Value] {
        guard let items = value?.array else { throw Missing(description: "\(what) is not a list") }
        return items
    }

    /// The course's moons set as training data (features `(2, 300)`).
    static func moons() throws -> LabeledData {
        let (x, y) = try MoonsDataset.make(samples: 300, noise: 0.2, seed: 3)
        return try LabeledData(examplesInRows: x, labels: y)
    }
}
