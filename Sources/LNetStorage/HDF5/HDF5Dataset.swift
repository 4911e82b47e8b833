import CHDF5
import Foundation

/// An open HDF5 dataset: an n-dimensional array of one element type.
///
/// Values are read and written in row-major (C) order, as numpy lays them out.
///
/// ```swift
/// let x = try file.dataset(at: "/train_set_x")
/// let shape = try x.shape                              // [209, 64, 64, 3]
/// let pixels = try x.read(as: UInt8.self)              // native bytes
/// let batch = try x.readRows(0..<64, as: Double.self)  // converted by HDF5
/// ```
///
/// `@unchecked Sendable`: it holds only an immutable identifier, used under
/// `HDF5Library`'s lock.
public final class HDF5Dataset: @unchecked Sendable {
    let handle: HDF5ObjectHandle

    init(handle: HDF5ObjectHandle) {
        self.handle = handle
    }

    /// The dataset's absolute path in its file.
    public var path: String { handle.path }

    /// The file the dataset belongs to.
    public var file: HDF5File { handle.file }

    /// The dataset's attributes.
    public var attributes: HDF5Attributes { HDF5Attributes(handle: handle) }

    // MARK: Description

    /// The current shape; `[]` for a scalar. It grows with `append(rows:)`.
    public var shape: [Int] {
        get throws { try extent().shape }
    }

    /// The largest shape the dataset may grow to; `nil` entries are unlimited.
    public var maxShape: [Int?] {
        get throws { try extent().maxShape }
    }

    /// The number of elements (1 for a scalar).
    public var count: Int {
        get throws {
            let shape = try shape
            return try HDF5Dataspace.elementCount(shape, site: handle.site, operation: "inspect dataset")
        }
    }

    /// The stored element type.
    public var elementType: HDF5ElementType {
        get throws {
            try handle.with("inspect dataset") { id, site in try Self.elementType(id, site: site) }
        }
    }

    /// How the data is laid out on disk.
    public var layout: HDF5Layout {
        get throws {
            try withCreationList("inspect dataset") { plist, site in
                switch H5Pget_layout(plist) {
                case H5D_COMPACT: .compact
                case H5D_CONTIGUOUS: .contiguous
                case H5D_CHUNKED: .chunked
                default: .other
                }
            }
        }
    }

    /// The chunk shape, or `nil` if the dataset is not chunked.
    public var chunkShape: [Int]? {
        get throws {
            try withCreationList("inspect dataset") { plist, site in
                guard H5Pget_layout(plist) == H5D_CHUNKED else { return nil }
                var dims = [hsize_t](repeating: 0, count: 32)
                let rank = try site.check(H5Pget_chunk(plist, Int32(dims.count), &dims), "inspect dataset")
                return dims.prefix(Int(rank)).map { Int(clamping: $0) }
            }
        }
    }

    /// The filter pipeline, in the order filters are applied on write.
    public var filters: [HDF5Filter] {
        get throws {
            try withCreationList("inspect dataset") { plist, site in
                let total = try site.check(H5Pget_nfilters(plist), "inspect dataset")
                return try (0..<total).map { index in
                    var flags: UInt32 = 0
                    var valueCount = 16
                    var values = [UInt32](repeating: 0, count: valueCount)
                    var name = [CChar](repeating: 0, count: 256)
                    var config: UInt32 = 0
                    let filter = H5Pget_filter2(
                        plist, UInt32(index), &flags, &valueCount, &values, name.count, &name, &config)
                    if filter < 0 { throw site.libraryError("inspect dataset") }
                    let stored = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    return HDF5Filter(
                        id: Int(filter), name: Self.filterName(Int(filter), stored: stored),
                        parameters: values.prefix(min(valueCount, values.count)).map { Int($0) })
                }
            }
        }
    }

    /// The bytes the data occupies in the file (after compression; 0 before
    /// anything is written).
    public var storageSize: Int {
        get throws {
            try handle.with("inspect dataset") { id, _ in Int(clamping: H5Dget_storage_size(id)) }
        }
    }

    // MARK: Reading

    /// Reads every element as `T`.
    ///
    /// Integer types read natively, or from a narrower integer type whose
    /// values all fit; `Double` and `Float` read any numeric dataset,
    /// converted by HDF5; `Bool` reads h5py booleans.
    public func read<T: HDF5Numeric>(as type: T.Type = T.self) throws -> [T] {
        try readNumeric(rows: nil, operation: "read dataset")
    }

    /// Reads rows `rows` (a range along the first axis) without touching the
    /// rest of the dataset: `rows.count × (elements per row)` values.
    public func readRows<T: HDF5Numeric>(_ rows: Range<Int>, as type: T.Type = T.self) throws -> [T] {
        try readNumeric(rows: rows, operation: "read rows of dataset")
    }

    /// Reads rows `rows` into memory the caller owns, which must hold exactly
    /// `rows.count × (elements per row)` values: a training loop can stream
    /// mini-batches into one reused buffer without allocating.
    public func readRows<T: HDF5Numeric>(_ rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>) throws {
        let operation = "read rows of dataset"
        try handle.with(operation) { id, site in
            let plan = try ReadPlan(id, as: T.self, rows: rows, site: site, operation: operation)
            defer { plan.close() }
            try plan.read(into: buffer)
        }
    }

    /// Reads a string dataset, fixed- or variable-length, in row-major order.
    /// Fixed-length strings lose their NUL (or space) padding.
    public func readStrings() throws -> [String] {
        let operation = "read dataset"
        return try handle.with(operation) { id, site in
            let fileType = try site.check(H5Dget_type(id), operation)
            defer { _ = H5Tclose(fileType) }
            let space = try site.check(H5Dget_space(id), operation)
            defer { _ = H5Sclose(space) }
            let shape = try HDF5Dataspace.shape(space, site: site, operation: operation).shape
            return try HDF5Strings.read(
                fileType: fileType, space: space, shape: shape, site: site, operation: operation
            ) { memType, buffer in
                H5Dread(id, memType, lnet_H5S_ALL(), lnet_H5S_ALL(), lnet_H5P_DEFAULT(), buffer)
            }
        }
    }

    // MARK: Writing

    /// Throws `shapeMismatch` unless `count` items fill the dataset `id` exactly.
    private static func requireWholeDataset(_ id: hid_t, count: Int, of noun: String, site: HDF5Site, operation: String) throws {
        let space = try site.check(H5Dget_space(id), operation)
        defer { _ = H5Sclose(space) }
        let shape = try HDF5Dataspace.shape(space, site: site, operation: operation).shape
        let expected = try HDF5Dataspace.elementCount(shape, site: site, operation: operation)
        guard count == expected else {
            throw site.error(.shapeMismatch, operation, "\(count) \(noun) for shape \(shape) (\(expected) elements)")
        }
    }

    /// Overwrites every element; `values.count` must equal the element count.
    public func write<T: HDF5Numeric>(_ values: [T]) throws {
        let operation = "write dataset"
        try handle.with(operation) { id, site in
            try Self.requireWholeDataset(id, count: values.count, of: "values", site: site, operation: operation)
            try Self.writeNumeric(id, values, memSpace: lnet_H5S_ALL(), fileSpace: lnet_H5S_ALL(), site: site, operation: operation)
        }
    }

    /// Overwrites every element of a string dataset.
    public func write(strings: [String]) throws {
        let operation = "write dataset"
        try handle.with(operation) { id, site in
            try Self.requireWholeDataset(id, count: strings.count, of: "strings", site: site, operation: operation)
            try Self.writeStrings(id, strings, memSpace: lnet_H5S_ALL(), fileSpace: lnet_H5S_ALL(), site: site, operation: operation)
        }
    }

    /// Appends rows at the end of the first axis of an extendable dataset.
    ///
    /// `values` holds whole rows in row-major order: its count must be a
    /// multiple of the elements per row (the product of the other dimensions).
    public func append<T: HDF5Numeric>(rows values: [T]) throws {
        try appendRows(valueCount: values.count, accepts: { $0 == T.hdf5ElementType }, what: "\(T.self) values") {
            id, memSpace, fileSpace, site, operation in
            try Self.writeNumeric(id, values, memSpace: memSpace, fileSpace: fileSpace, site: site, operation: operation)
        }
    }

    /// Appends strings as rows of an extendable string dataset.
    public func append(strings: [String]) throws {
        try appendRows(valueCount: strings.count, accepts: \.isString, what: "strings") {
            id, memSpace, fileSpace, site, operation in
            try Self.writeStrings(id, strings, memSpace: memSpace, fileSpace: fileSpace, site: site, operation: operation)
        }
    }

    // MARK: Internals

    private func extent() throws -> (shape: [Int], maxShape: [Int?]) {
        try handle.with("inspect dataset") { id, site in
            let space = try site.check(H5Dget_space(id), "inspect dataset")
            defer { _ = H5Sclose(space) }
            return try HDF5Dataspace.shape(space, site: site, operation: "inspect dataset")
        }
    }

    private func withCreationList<T>(_ operation: String, _ body: (hid_t, HDF5Site) throws -> T) throws -> T {
        try handle.with(operation) { id, site in
            let plist = try site.check(H5Dget_create_plist(id), operation)
            defer { _ = H5Pclose(plist) }
            return try body(plist, site)
        }
    }

    static func elementType(_ id: hid_t, site: HDF5Site) throws -> HDF5ElementType {
        let type = try site.check(H5Dget_type(id), "inspect dataset")
        defer { _ = H5Tclose(type) }
        return try HDF5TypeID.elementType(of: type, site: site)
    }

    static func filterName(_ id: Int, stored: String) -> String {
        switch id {
        case 1: "deflate"
        case 2: "shuffle"
        case 3: "fletcher32"
        case 4: "szip"
        case 5: "nbit"
        case 6: "scaleoffset"
        default: stored.isEmpty ? "filter \(id)" : stored
        }
    }

    private func readNumeric<T: HDF5Numeric>(rows: Range<Int>?, operation: String) throws -> [T] {
        try handle.with(operation) { id, site in
            let plan = try ReadPlan(id, as: T.self, rows: rows, site: site, operation: operation)
            defer { plan.close() }
            return try Array(unsafeUninitializedCapacity: plan.count) { buffer, initialised in
                try plan.read(into: buffer)
                initialised = plan.count
            }
        }
    }

    /// A read of all elements, or of some rows, as `T`: the selection is
    /// made and checked first, so the caller can size its memory from `count`.
    struct ReadPlan<T: HDF5Numeric>: ~Copyable {
        let id: hid_t
        let site: HDF5Site
        let operation: String
        let memSpace: hid_t
        let fileSpace: hid_t
        /// The dataspace to close; the file space when rows are selected.
        let ownedSpace: hid_t
        /// The number of elements the read produces.
        let count: Int

        init(_ id: hid_t, as type: T.Type, rows: Range<Int>?, site: HDF5Site, operation: String) throws {
            let stored = try HDF5Dataset.elementType(id, site: site)
            guard stored.canBeRead(as: T.hdf5ElementType) else {
                throw site.error(.typeMismatch, operation, "the dataset holds \(stored.numpyName), which cannot be read as \(T.self)")
            }
            try HDF5Dataset.checkDeclaredSize(id, site: site, operation: operation)
            let space = try site.check(H5Dget_space(id), operation)
            do {
                let shape = try HDF5Dataspace.shape(space, site: site, operation: operation).shape
                var selected = shape
                var memSpace = lnet_H5S_ALL()
                var fileSpace = lnet_H5S_ALL()
                if let rows {
                    memSpace = try HDF5Dataspace.selectRows(rows, of: space, shape: shape, site: site, operation: operation)
                    fileSpace = space
                    selected[0] = rows.count
                }
                let count = try HDF5Dataspace.checkedCount(
                    selected, elementSize: MemoryLayout<T>.stride, site: site, operation: operation)
                self.id = id
                self.site = site
                self.operation = operation
                self.memSpace = memSpace
                self.fileSpace = fileSpace
                self.ownedSpace = space
                self.count = count
            } catch {
                _ = H5Sclose(space)
                throw error
            }
        }

        func close() {
            if memSpace != lnet_H5S_ALL() { _ = H5Sclose(memSpace) }
            _ = H5Sclose(ownedSpace)
        }

        /// Reads into `buffer`, which must hold `count` elements.
        ///
        /// Bool goes through a byte buffer: HDF5 fills enum values it cannot
        /// map with 0xFF, which is not a valid Swift `Bool`.
        func read(into buffer: UnsafeMutableBufferPointer<T>) throws {
            guard count > 0 else { return }
            guard buffer.count == count, let base = buffer.baseAddress else {
                throw site.error(
                    .shapeMismatch, operation,
                    "the selection holds \(count) values but the buffer has room for \(buffer.count)")
            }
            let memType = try HDF5TypeID.make(T.hdf5ElementType, forFile: false, site: site)
            if T.hdf5ElementType == .bool {
                var bytes = [Int8](repeating: 0, count: count)
                try site.check(H5Dread(id, memType.id, memSpace, fileSpace, lnet_H5P_DEFAULT(), &bytes), operation)
                UnsafeMutableRawPointer(base).withMemoryRebound(to: Bool.self, capacity: count) { booleans in
                    for index in 0..<count { booleans[index] = bytes[index] == 1 }
                }
            } else {
                try site.check(H5Dread(id, memType.id, memSpace, fileSpace, lnet_H5P_DEFAULT(), base), operation)
            }
        }
    }

    static func writeNumeric<T: HDF5Numeric>(
        _ id: hid_t, _ values: [T], memSpace: hid_t, fileSpace: hid_t, site: HDF5Site, operation: String
    ) throws {
        let stored = try elementType(id, site: site)
        guard stored == T.hdf5ElementType else {
            throw site.error(.typeMismatch, operation, "the dataset holds \(stored.numpyName), not \(T.self) values")
        }
        if values.isEmpty { return }
        let memType = try HDF5TypeID.make(T.hdf5ElementType, forFile: false, site: site)
        if let booleans = values as? [Bool] {
            let bytes = booleans.map { Int8($0 ? 1 : 0) }
            try site.check(H5Dwrite(id, memType.id, memSpace, fileSpace, lnet_H5P_DEFAULT(), bytes), operation)
        } else {
            _ = try values.withUnsafeBytes { raw in
                try site.check(H5Dwrite(id, memType.id, memSpace, fileSpace, lnet_H5P_DEFAULT(), raw.baseAddress), operation)
            }
        }
    }

    static func writeStrings(
        _ id: hid_t, _ strings: [String], memSpace: hid_t, fileSpace: hid_t, site: HDF5Site, operation: String
    ) throws {
        let fileType = try site.check(H5Dget_type(id), operation)
        defer { _ = H5Tclose(fileType) }
        if strings.isEmpty { return }
        try HDF5Strings.write(strings, fileType: fileType, site: site, operation: operation) { memType, buffer in
            H5Dwrite(id, memType, memSpace, fileSpace, lnet_H5P_DEFAULT(), buffer)
        }
    }

    /// Grows the first axis by the rows `valueCount` values make, then lets
    /// `write` fill them; the type is checked first so a mismatch leaves the
    /// dataset as it was.
    private func appendRows(
        valueCount: Int, accepts: (HDF5ElementType) -> Bool, what: String,
        write: (hid_t, hid_t, hid_t, HDF5Site, String) throws -> Void
    ) throws {
        let operation = "append to dataset"
        try handle.with(operation) { id, site in
            let stored = try Self.elementType(id, site: site)
            guard accepts(stored) else {
                throw site.error(.typeMismatch, operation, "the dataset holds \(stored.numpyName), not \(what)")
            }
            let space = try site.check(H5Dget_space(id), operation)
            let (shape, maxShape) = try {
                defer { _ = H5Sclose(space) }
                return try HDF5Dataspace.shape(space, site: site, operation: operation)
            }()
            guard let rowsBefore = shape.first else {
                throw site.error(.shapeMismatch, operation, "a scalar dataset has no rows to append to")
            }
            let rowElements = try HDF5Dataspace.elementCount(shape.dropFirst(), site: site, operation: operation)
            guard rowElements > 0, valueCount % rowElements == 0 else {
                throw site.error(
                    .shapeMismatch, operation,
                    "\(valueCount) values are not whole rows of \(rowElements) elements (row shape \(Array(shape.dropFirst())))")
            }
            let added = valueCount / rowElements
            if added == 0 { return }
            if let limit = maxShape[0], rowsBefore + added > limit {
                throw site.error(
                    .shapeMismatch, operation,
                    "the dataset can hold at most \(limit) rows (\(rowsBefore) + \(added) requested); create it extendable")
            }
            var newShape = shape.map { hsize_t($0) }
            newShape[0] = hsize_t(rowsBefore + added)
            try site.check(H5Dset_extent(id, &newShape), operation)
            let grown = try site.check(H5Dget_space(id), operation)
            defer { _ = H5Sclose(grown) }
            let memSpace = try HDF5Dataspace.selectRows(
                rowsBefore..<(rowsBefore + added), of: grown, shape: newShape.map { Int($0) }, site: site, operation: operation)
            defer { _ = H5Sclose(memSpace) }
            try write(id, memSpace, grown, site, operation)
        }
    }
}
