import CHDF5

extension HDF5Group {
    /// Creates a dataset of `shape` holding `data` in row-major order
    /// (`data.count` must be the product of `shape`; `[]` is a scalar).
    /// Missing parent groups are created.
    @discardableResult
    public func createDataset<T: HDF5Numeric>(
        _ path: String, shape: [Int], data: [T], options: DatasetOptions = .default
    ) throws -> HDF5Dataset {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        let operation = "create dataset"
        return try handle.with(operation) { id, site in
            let site = HDF5Site(file: site.file, path: full)
            try Self.checkCount(data.count, shape: shape, site: site, operation: operation)
            let fileType = try HDF5TypeID.make(T.hdf5ElementType, forFile: true, site: site)
            let dataset = try makeDataset(
                id, full: full, fileType: fileType.id, elementSize: MemoryLayout<T>.stride,
                shape: shape, maxShape: nil, options: options, site: site, operation: operation)
            do {
                try HDF5Dataset.writeNumeric(
                    dataset.handle.id, data, memSpace: lnet_H5S_ALL(), fileSpace: lnet_H5S_ALL(), site: site, operation: operation)
            } catch {
                // A dataset whose data could not be written is removed, so a
                // failed create leaves the file as it was.
                _ = H5Ldelete(id, full, lnet_H5P_DEFAULT())
                throw error
            }
            return dataset
        }
    }

    /// Creates a one-dimensional dataset holding `data`.
    @discardableResult
    public func createDataset<T: HDF5Numeric>(
        _ path: String, data: [T], options: DatasetOptions = .default
    ) throws -> HDF5Dataset {
        try createDataset(path, shape: [data.count], data: data, options: options)
    }

    /// Creates a string dataset of `shape` (one-dimensional when `nil`),
    /// variable-length UTF-8 as h5py writes `str`, or fixed-length as numpy's `S`.
    @discardableResult
    public func createDataset(
        _ path: String, shape: [Int]? = nil, strings: [String], layout: StringLayout = .variableLength,
        options: DatasetOptions = .default
    ) throws -> HDF5Dataset {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        let operation = "create dataset"
        let shape = shape ?? [strings.count]
        return try handle.with(operation) { id, site in
            let site = HDF5Site(file: site.file, path: full)
            try Self.checkCount(strings.count, shape: shape, site: site, operation: operation)
            let fileType = try HDF5Strings.fileType(for: layout, strings: strings, site: site, operation: operation)
            let dataset = try makeDataset(
                id, full: full, fileType: fileType.id, elementSize: max(H5Tget_size(fileType.id), 1),
                shape: shape, maxShape: nil, options: options, site: site, operation: operation)
            do {
                try HDF5Dataset.writeStrings(
                    dataset.handle.id, strings, memSpace: lnet_H5S_ALL(), fileSpace: lnet_H5S_ALL(), site: site, operation: operation)
            } catch {
                // A dataset whose data could not be written is removed, so a
                // failed create leaves the file as it was.
                _ = H5Ldelete(id, full, lnet_H5P_DEFAULT())
                throw error
            }
            return dataset
        }
    }

    /// Creates an empty dataset of `T` whose first dimension grows without
    /// limit through `append(rows:)`; each row has shape `rowShape`.
    /// It is always chunked; `options.chunkShape`, if given, includes the first axis.
    @discardableResult
    public func createExtendableDataset<T: HDF5Numeric>(
        _ path: String, of type: T.Type, rowShape: [Int] = [], options: DatasetOptions = .default
    ) throws -> HDF5Dataset {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        let operation = "create dataset"
        return try handle.with(operation) { id, site in
            let site = HDF5Site(file: site.file, path: full)
            let fileType = try HDF5TypeID.make(T.hdf5ElementType, forFile: true, site: site)
            return try makeDataset(
                id, full: full, fileType: fileType.id, elementSize: MemoryLayout<T>.stride,
                shape: [0] + rowShape, maxShape: [nil] + rowShape.map { $0 }, options: options,
                site: site, operation: operation)
        }
    }

    /// Creates an empty one-dimensional string dataset that grows through
    /// `append(strings:)`. Fixed-length layouts need an explicit length.
    @discardableResult
    public func createExtendableStringDataset(
        _ path: String, layout: StringLayout = .variableLength, options: DatasetOptions = .default
    ) throws -> HDF5Dataset {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        let operation = "create dataset"
        return try handle.with(operation) { id, site in
            let site = HDF5Site(file: site.file, path: full)
            if case .fixedLength(nil) = layout {
                throw site.error(.invalidArgument, operation, "an extendable fixed-length string dataset needs a length")
            }
            let fileType = try HDF5Strings.fileType(for: layout, strings: [], site: site, operation: operation)
            return try makeDataset(
                id, full: full, fileType: fileType.id, elementSize: max(H5Tget_size(fileType.id), 1),
                shape: [0], maxShape: [nil], options: options, site: site, operation: operation)
        }
    }

    private static func checkCount(_ count: Int, shape: [Int], site: HDF5Site, operation: String) throws {
        if let bad = shape.first(where: { $0 < 0 }) {
            throw site.error(.invalidArgument, operation, "negative dimension \(bad) in shape \(shape)")
        }
        var expected = 1
        for dimension in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
            if overflow { throw site.error(.tooLarge, operation, "shape \(shape) has too many elements") }
            expected = product
        }
        guard count == expected else {
            throw site.error(.shapeMismatch, operation, "\(count) values for shape \(shape) (\(expected) elements)")
        }
    }

    /// Creates the dataset object with its storage layout and filters.
    private func makeDataset(
        _ id: hid_t, full: String, fileType: hid_t, elementSize: Int, shape: [Int], maxShape: [Int?]?,
        options: DatasetOptions, site: HDF5Site, operation: String
    ) throws -> HDF5Dataset {
        try HDF5Path.validateName(full, site: site, operation: operation)
        if try HDF5Group.linkExists(id, full) {
            throw site.error(.alreadyExists, operation, "an object with this name already exists")
        }
        let space = try HDF5Dataspace.make(shape: shape, maxShape: maxShape, site: site, operation: operation)
        defer { _ = H5Sclose(space) }
        let creation = try site.check(H5Pcreate(lnet_H5P_DATASET_CREATE()), operation)
        defer { _ = H5Pclose(creation) }
        let extendable = maxShape?.contains(where: { $0 == nil }) ?? false
        if let chunks = try Self.chunkShape(
            options: options, shape: shape, extendable: extendable, elementSize: elementSize, site: site, operation: operation
        ) {
            var dims = chunks.map { hsize_t($0) }
            try site.check(H5Pset_chunk(creation, Int32(dims.count), &dims), operation)
        }
        // h5py's order: shuffle before compression, checksum last so it
        // covers the bytes actually stored.
        if options.shuffle {
            try site.check(H5Pset_shuffle(creation), operation)
        }
        if let level = options.deflateLevel {
            guard (0...9).contains(level) else {
                throw site.error(.invalidArgument, operation, "the deflate level must be 0–9, not \(level)")
            }
            guard H5Zfilter_avail(H5Z_filter_t(H5Z_FILTER_DEFLATE)) > 0 else {
                throw site.error(.invalidArgument, operation, "this HDF5 library has no deflate (gzip) filter")
            }
            try site.check(H5Pset_deflate(creation, UInt32(level)), operation)
        }
        if options.fletcher32 {
            try site.check(H5Pset_fletcher32(creation), operation)
        }
        let links = try HDF5Group.intermediateLinkList(site: site, operation: operation)
        defer { _ = H5Pclose(links) }
        let dataset = H5Dcreate2(id, full, fileType, space, links, creation, lnet_H5P_DEFAULT())
        if dataset < 0 { throw site.libraryError(operation) }
        return HDF5Dataset(handle: HDF5ObjectHandle(id: dataset, file: handle.file, path: full))
    }

    /// The chunk shape to use, or `nil` for contiguous storage.
    ///
    /// Chunks are required by filters and by extendable datasets; when the
    /// caller gives none, whole rows are grouped to roughly 1 MiB per chunk.
    private static func chunkShape(
        options: DatasetOptions, shape: [Int], extendable: Bool, elementSize: Int, site: HDF5Site, operation: String
    ) throws -> [Int]? {
        if let chunks = options.chunkShape {
            guard !shape.isEmpty else {
                throw site.error(.invalidArgument, operation, "a scalar dataset cannot be chunked")
            }
            guard chunks.count == shape.count, chunks.allSatisfy({ $0 > 0 }) else {
                throw site.error(
                    .invalidArgument, operation,
                    "chunk shape \(chunks) does not fit shape \(shape): one positive size per dimension")
            }
            return chunks
        }
        guard options.hasFilters || extendable else { return nil }
        guard let first = shape.first else {
            throw site.error(.invalidArgument, operation, "a scalar dataset cannot be filtered (filters need chunks)")
        }
        let rest = shape.dropFirst().map { max($0, 1) }
        let rowBytes = rest.reduce(max(elementSize, 1)) { $0.multipliedReportingOverflow(by: $1).partialValue }
        var rows = max(1, (1 << 20) / max(rowBytes, 1))
        if !extendable { rows = min(rows, max(first, 1)) }
        return [rows] + rest
    }
}
