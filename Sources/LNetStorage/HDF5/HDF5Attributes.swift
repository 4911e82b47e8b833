import CHDF5

/// The attributes of a group, dataset or file (the root group's attributes).
///
/// ```swift
/// try dataset.attributes.write("classes", .stringArray(["non-cat", "cat"]))
/// let epochs = try file.attributes.read("epochs").int64Value
/// ```
///
/// Strings are written as variable-length UTF-8, as h5py writes `str`;
/// fixed- and variable-length strings are both read.
public struct HDF5Attributes: Sendable {
    let handle: HDF5ObjectHandle

    /// The attribute names, in name order.
    public func names() throws -> [String] {
        try handle.with("list attributes") { id, site in
            final class Box { var names: [String] = [] }
            let box = Box()
            var index: hsize_t = 0
            let status = withExtendedLifetime(box) {
                H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, data in
                    guard let name, let data else { return -1 }
                    Unmanaged<Box>.fromOpaque(data).takeUnretainedValue().names.append(String(cString: name))
                    return 0
                }, Unmanaged.passUnretained(box).toOpaque())
            }
            try site.check(status, "list attributes")
            return box.names
        }
    }

    /// Whether an attribute named `name` exists.
    public func contains(_ name: String) throws -> Bool {
        try handle.with("check attribute") { id, site in
            try site.check(H5Aexists(id, name), "check attribute '\(name)' of") > 0
        }
    }

    /// Reads an attribute, with its type.
    ///
    /// Integer types other than `int32` and `uint8` read as `Int64`, floating
    /// point other than `float32` as `Double`; a multi-dimensional attribute
    /// reads as a flat array in row-major order.
    public func read(_ name: String) throws -> AttributeValue {
        let operation = "read attribute '\(name)' of"
        return try handle.with(operation) { id, site in
            guard try site.check(H5Aexists(id, name), operation) > 0 else {
                throw site.error(.notFound, operation, "no such attribute")
            }
            let attribute = try site.check(H5Aopen(id, name, lnet_H5P_DEFAULT()), operation)
            defer { _ = H5Aclose(attribute) }
            let type = try site.check(H5Aget_type(attribute), operation)
            defer { _ = H5Tclose(type) }
            let space = try site.check(H5Aget_space(attribute), operation)
            defer { _ = H5Sclose(space) }
            let shape = try HDF5Dataspace.shape(space, site: site, operation: operation).shape
            let scalar = shape.isEmpty
            let stored = try HDF5TypeID.elementType(of: type, site: site)

            func numbers<T: HDF5Numeric>(_: T.Type) throws -> [T] {
                let count = try HDF5Dataspace.checkedCount(
                    shape, elementSize: MemoryLayout<T>.stride, site: site, operation: operation)
                if count == 0 { return [] }
                let memType = try HDF5TypeID.make(T.hdf5ElementType, forFile: false, site: site)
                if T.hdf5ElementType == .bool {
                    var bytes = [Int8](repeating: 0, count: count)
                    try site.check(H5Aread(attribute, memType.id, &bytes), operation)
                    return bytes.compactMap { ($0 == 1) as? T }
                }
                return try Array(unsafeUninitializedCapacity: count) { buffer, initialised in
                    try site.check(H5Aread(attribute, memType.id, buffer.baseAddress), operation)
                    initialised = count
                }
            }
            func first<T>(_ values: [T]) throws -> T {
                guard let value = values.first else {
                    throw site.error(.shapeMismatch, operation, "the scalar attribute holds no value")
                }
                return value
            }

            switch stored {
            case .bool:
                let values = try numbers(Bool.self)
                return scalar ? .bool(try first(values)) : .boolArray(values)
            case .int32:
                let values = try numbers(Int32.self)
                return scalar ? .int32(try first(values)) : .int32Array(values)
            case .uint8:
                let values = try numbers(UInt8.self)
                return scalar ? .uint8(try first(values)) : .uint8Array(values)
            case .int8, .int16, .int64, .uint16, .uint32, .uint64:
                let values = try numbers(Int64.self)
                return scalar ? .int64(try first(values)) : .int64Array(values)
            case .float32:
                let values = try numbers(Float.self)
                return scalar ? .float32(try first(values)) : .float32Array(values)
            case .float16, .float64:
                let values = try numbers(Double.self)
                return scalar ? .float64(try first(values)) : .float64Array(values)
            case .fixedString, .variableString:
                let values = try HDF5Strings.read(
                    fileType: type, space: space, shape: shape, site: site, operation: operation
                ) { memType, buffer in H5Aread(attribute, memType, buffer) }
                return scalar ? .string(try first(values)) : .stringArray(values)
            case .other(let kind):
                throw site.error(.typeMismatch, operation, "attributes of type \(kind) cannot be read")
            }
        }
    }

    /// Reads every attribute, in name order.
    public func all() throws -> [(name: String, value: AttributeValue)] {
        try names().map { ($0, try read($0)) }
    }

    /// Writes an attribute, replacing any attribute of that name.
    public func write(_ name: String, _ value: AttributeValue) throws {
        let operation = "write attribute '\(name)' of"
        try handle.with(operation) { id, site in
            if name.isEmpty || name.utf8.contains(0) {
                throw site.error(.invalidArgument, operation, "an attribute name must be non-empty and contain no NUL")
            }
            if try site.check(H5Aexists(id, name), operation) > 0 {
                try site.check(H5Adelete(id, name), operation)
            }
            let fileType = try HDF5TypeID.make(value.elementType, forFile: true, site: site)
            let shape = value.isScalar ? [] : [value.count]
            let space = try HDF5Dataspace.make(shape: shape, site: site, operation: operation)
            defer { _ = H5Sclose(space) }
            let attribute = try site.check(
                H5Acreate2(id, name, fileType.id, space, lnet_H5P_DEFAULT(), lnet_H5P_DEFAULT()), operation)
            defer { _ = H5Aclose(attribute) }

            func store<T: HDF5Numeric>(_ values: [T]) throws {
                if values.isEmpty { return }
                let memType = try HDF5TypeID.make(T.hdf5ElementType, forFile: false, site: site)
                if let booleans = values as? [Bool] {
                    let bytes = booleans.map { Int8($0 ? 1 : 0) }
                    try site.check(H5Awrite(attribute, memType.id, bytes), operation)
                    return
                }
                _ = try values.withUnsafeBytes { raw in
                    try site.check(H5Awrite(attribute, memType.id, raw.baseAddress), operation)
                }
            }
            do {
                switch value {
                case .int64(let scalar): try store([scalar])
                case .int32(let scalar): try store([scalar])
                case .uint8(let scalar): try store([scalar])
                case .float64(let scalar): try store([scalar])
                case .float32(let scalar): try store([scalar])
                case .bool(let scalar): try store([scalar])
                case .int64Array(let values): try store(values)
                case .int32Array(let values): try store(values)
                case .uint8Array(let values): try store(values)
                case .float64Array(let values): try store(values)
                case .float32Array(let values): try store(values)
                case .boolArray(let values): try store(values)
                case .string(let scalar):
                    try HDF5Strings.write([scalar], fileType: fileType.id, site: site, operation: operation) {
                        H5Awrite(attribute, $0, $1)
                    }
                case .stringArray(let values):
                    if values.isEmpty { break }
                    try HDF5Strings.write(values, fileType: fileType.id, site: site, operation: operation) {
                        H5Awrite(attribute, $0, $1)
                    }
                }
            } catch {
                // Leave no half-written attribute behind.
                _ = H5Adelete(id, name)
                throw error
            }
        }
    }

    /// Removes an attribute; throws `.notFound` if there is none of that name.
    public func delete(_ name: String) throws {
        let operation = "delete attribute '\(name)' of"
        try handle.with(operation) { id, site in
            guard try site.check(H5Aexists(id, name), operation) > 0 else {
                throw site.error(.notFound, operation, "no such attribute")
            }
            try site.check(H5Adelete(id, name), operation)
        }
    }
}
