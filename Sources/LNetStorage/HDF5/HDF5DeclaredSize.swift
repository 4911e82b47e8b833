import CHDF5

extension HDF5Dataset {
    /// How many bytes of data one byte of a file can stand for: deflate's
    /// ceiling is about 1032:1, rounded up so that no real file comes near it.
    static let maximumExpansion = 1100

    /// Refuses to read a dataset, from a file opened read-only, whose declared
    /// size the whole file could not hold even at deflate's best ratio.
    ///
    /// Why: HDF5 stores a dataset's shape separately from its data, and
    /// chunks never written read back as fill values. A crafted (or damaged)
    /// file of a few KiB can declare terabytes; without this check a reader
    /// allocates them, or streams fill values for days. Files open for writing
    /// are exempt: their chunks may still sit in HDF5's cache, unflushed.
    static func checkDeclaredSize(_ id: hid_t, site: HDF5Site, operation: String) throws {
        let file = H5Iget_file_id(id)
        guard file >= 0 else { return }
        defer { H5Fclose(file) }
        var intent: UInt32 = 0
        guard H5Fget_intent(file, &intent) >= 0, intent & lnet_H5F_ACC_RDWR() == 0 else { return }
        var fileSize: hsize_t = 0
        guard H5Fget_filesize(file, &fileSize) >= 0 else { return }
        let space = H5Dget_space(id)
        guard space >= 0 else { return }
        defer { H5Sclose(space) }
        let type = H5Dget_type(id)
        guard type >= 0 else { return }
        defer { H5Tclose(type) }
        let elementSize = H5Tget_size(type)
        // The product of the dimensions, checked: HDF5's own point count
        // wraps around (2^32 × 2^32 is 0), which would wave a crafted shape through.
        var dims = [hsize_t](repeating: 0, count: 32)
        let rank = H5Sget_simple_extent_dims(space, &dims, nil)
        guard rank >= 0, elementSize > 0 else { return }
        var declared = elementSize
        var overflow = false
        for dimension in dims.prefix(Int(rank)) {
            let (product, wrapped) = declared.multipliedReportingOverflow(by: Int(clamping: dimension))
            overflow = overflow || wrapped || dimension > hsize_t(Int.max)
            declared = wrapped ? Int.max : product
        }
        guard declared > 0 || overflow else { return }
        let (capacity, capacityOverflow) = Int(clamping: fileSize).multipliedReportingOverflow(by: maximumExpansion)
        if capacityOverflow { return }
        if overflow || declared > capacity + (1 << 20) {
            let shape = dims.prefix(Int(rank)).map { String($0) }.joined(separator: ", ")
            throw site.error(
                .tooLarge, operation,
                "the dataset declares shape (\(shape)) of \(overflow ? "more than Int.max" : String(declared)) bytes, "
                    + "more than this \(fileSize)-byte file can hold: the file is damaged or crafted")
        }
    }
}

extension HDF5Dataset {
    /// Throws when the dataset declares more data than its file (opened
    /// read-only) could hold even compressed: a damaged or crafted file that
    /// must be refused before anything sizes memory, or a plan, from its shape.
    public func checkDeclaredSizeFitsFile() throws {
        try handle.with("open dataset") { id, site in
            try Self.checkDeclaredSize(id, site: site, operation: "open dataset")
        }
    }
}
