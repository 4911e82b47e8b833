/// How a new dataset is laid out and filtered on disk.
///
/// Filters need chunked storage; when a filter is asked for without a chunk
/// shape, one is chosen (whole rows, about 1 MiB per chunk).
public struct DatasetOptions: Hashable, Sendable {
    /// The shape of each chunk, one entry per dimension; `nil` for contiguous
    /// storage (unless a filter or an extendable dataset needs chunks).
    public var chunkShape: [Int]?
    /// The gzip (deflate) compression level, 0–9; `nil` for none.
    public var deflateLevel: Int?
    /// Whether to apply the byte-shuffle filter before compression, which
    /// usually makes numbers compress better.
    public var shuffle: Bool
    /// Whether to store a Fletcher-32 checksum with each chunk, so corruption
    /// is detected on read.
    public var fletcher32: Bool

    /// Options for a dataset; the defaults give plain contiguous storage.
    public init(chunkShape: [Int]? = nil, deflateLevel: Int? = nil, shuffle: Bool = false, fletcher32: Bool = false) {
        self.chunkShape = chunkShape
        self.deflateLevel = deflateLevel
        self.shuffle = shuffle
        self.fletcher32 = fletcher32
    }

    /// Contiguous storage, no filters.
    public static let `default` = DatasetOptions()

    /// Shuffle and gzip level 4, what h5py users typically pick for training data.
    public static let compressed = DatasetOptions(deflateLevel: 4, shuffle: true)

    /// Whether any filter is requested.
    var hasFilters: Bool { deflateLevel != nil || shuffle || fletcher32 }
}

/// A filter in a dataset's pipeline, as reported by HDF5.
public struct HDF5Filter: Hashable, Sendable, CustomStringConvertible {
    /// HDF5's filter identifier (1 deflate, 2 shuffle, 3 fletcher32, 4 szip,
    /// 5 nbit, 6 scale-offset, 32000+ registered third-party filters).
    public let id: Int
    /// The filter's name: `deflate`, `shuffle`, `fletcher32`, or the name
    /// stored in the file for others.
    public let name: String
    /// The filter's client-data values (the compression level for deflate;
    /// HDF5 adds the element size for shuffle).
    public let parameters: [Int]

    /// Makes a filter description.
    public init(id: Int, name: String, parameters: [Int]) {
        self.id = id
        self.name = name
        self.parameters = parameters
    }

    /// `deflate(4)`, `shuffle`, `fletcher32`.
    public var description: String {
        if id == 1, let level = parameters.first { return "\(name)(\(level))" }
        return name
    }
}

/// How a dataset's data is laid out in the file.
public enum HDF5Layout: String, Hashable, Sendable {
    /// One block, with the data in the object header (small datasets).
    case compact
    /// One block.
    case contiguous
    /// Fixed-size chunks, each filtered separately.
    case chunked
    /// A virtual dataset or a layout this library does not know.
    case other
}

/// How a string dataset stores its strings.
public enum StringLayout: Hashable, Sendable {
    /// Variable-length UTF-8 strings, as h5py writes Python `str` (numpy dtype `object`).
    case variableLength
    /// Fixed-length byte strings, NUL-padded, as numpy's `S` dtype: `bytes`
    /// per element, or the longest string's UTF-8 length when `nil`.
    /// A longer string is an error, never silently cut.
    case fixedLength(bytes: Int?)
}
