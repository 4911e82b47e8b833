// The remaining integer types numpy stores, so that any integer dataset can be
// read in its own type (the data fingerprint hashes values as stored).

extension Int8: HDF5Numeric {
    /// Stored as `int8`.
    public static var hdf5ElementType: HDF5ElementType { .int8 }
}
extension Int16: HDF5Numeric {
    /// Stored as native-order `int16`.
    public static var hdf5ElementType: HDF5ElementType { .int16 }
}
extension UInt16: HDF5Numeric {
    /// Stored as native-order `uint16`.
    public static var hdf5ElementType: HDF5ElementType { .uint16 }
}
extension UInt32: HDF5Numeric {
    /// Stored as native-order `uint32` (the generator key in checkpoints).
    public static var hdf5ElementType: HDF5ElementType { .uint32 }
}
extension UInt64: HDF5Numeric {
    /// Stored as native-order `uint64`.
    public static var hdf5ElementType: HDF5ElementType { .uint64 }
}
