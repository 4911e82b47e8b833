/// A description of every object in an HDF5 file, as plain values: what
/// `lnet inspect` shows, in text or JSON.
///
/// ```swift
/// let tree = try HDF5FileTree(describing: "train_catvnoncat.h5")
/// print(tree.renderText())
/// ```
public struct HDF5FileTree: Hashable, Sendable {
    /// The file's path, as given.
    public var file: String
    /// Every object, depth first in name order, the root group first.
    public var objects: [Object]

    /// One group, dataset or other object.
    public struct Object: Hashable, Sendable {
        /// The absolute path, "/" for the root group.
        public var path: String
        /// Group, dataset or other.
        public var kind: HDF5ObjectKind
        /// The element type, for datasets.
        public var elementType: HDF5ElementType?
        /// The current shape, for datasets (`[]` for a scalar).
        public var shape: [Int]?
        /// The maximum shape, for datasets; `nil` entries are unlimited.
        public var maxShape: [Int?]?
        /// How the data is laid out, for datasets.
        public var layout: HDF5Layout?
        /// The chunk shape, for chunked datasets.
        public var chunkShape: [Int]?
        /// The filter pipeline, for datasets (empty otherwise).
        public var filters: [HDF5Filter]
        /// Bytes used in the file, for datasets.
        public var storageSize: Int?
        /// The attributes, in name order.
        public var attributes: [Attribute]
        /// Set when the object's members were not listed again because it was
        /// already described under another path (a hard link to a group).
        public var sameAs: String?

        /// The numpy dtype name, for datasets.
        public var dtype: String? { elementType?.numpyName }

        /// Makes a description; every dataset field is optional.
        public init(
            path: String, kind: HDF5ObjectKind, elementType: HDF5ElementType? = nil, shape: [Int]? = nil,
            maxShape: [Int?]? = nil, layout: HDF5Layout? = nil, chunkShape: [Int]? = nil,
            filters: [HDF5Filter] = [], storageSize: Int? = nil, attributes: [Attribute] = [], sameAs: String? = nil
        ) {
            self.path = path
            self.kind = kind
            self.elementType = elementType
            self.shape = shape
            self.maxShape = maxShape
            self.layout = layout
            self.chunkShape = chunkShape
            self.filters = filters
            self.storageSize = storageSize
            self.attributes = attributes
            self.sameAs = sameAs
        }
    }

    /// One attribute: its value, or why it could not be read (a compound
    /// attribute, say), so one odd attribute does not hide the whole file.
    public struct Attribute: Hashable, Sendable {
        /// The attribute's name.
        public var name: String
        /// The value, when it could be read.
        public var value: AttributeValue?
        /// Why the value could not be read.
        public var problem: String?

        /// Makes an attribute description.
        public init(name: String, value: AttributeValue?, problem: String? = nil) {
            self.name = name
            self.value = value
            self.problem = problem
        }
    }

    /// Makes a tree from its parts.
    public init(file: String, objects: [Object]) {
        self.file = file
        self.objects = objects
    }

    /// Opens the file read-only and describes every object in it.
    public init(describing path: String) throws {
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        try self.init(describing: file)
    }

    /// Describes every object of an open file.
    public init(describing file: HDF5File) throws {
        var objects: [Object] = []
        var visited: [UInt64: String] = [:]
        let root = try file.root
        if let address = try root.objectAddress("/") { visited[address] = "/" }
        objects.append(Object(path: "/", kind: .group, attributes: try Self.attributes(of: root.attributes)))
        try Self.walk(root, into: &objects, visited: &visited)
        self.init(file: file.path, objects: objects)
    }

    private static func walk(_ group: HDF5Group, into objects: inout [Object], visited: inout [UInt64: String]) throws {
        for member in try group.members() {
            let path = group.path == "/" ? "/" + member.name : group.path + "/" + member.name
            switch member.kind {
            case .group:
                let child = try group.openGroup(member.name)
                var object = Object(path: path, kind: .group, attributes: try attributes(of: child.attributes))
                if let address = try group.objectAddress(member.name) {
                    if let seen = visited[address] {
                        object.sameAs = seen
                        objects.append(object)
                        continue
                    }
                    visited[address] = path
                }
                objects.append(object)
                try walk(child, into: &objects, visited: &visited)
            case .dataset:
                let dataset = try group.openDataset(member.name)
                objects.append(Object(
                    path: path, kind: .dataset, elementType: try dataset.elementType, shape: try dataset.shape,
                    maxShape: try dataset.maxShape, layout: try dataset.layout, chunkShape: try dataset.chunkShape,
                    filters: try dataset.filters, storageSize: try dataset.storageSize,
                    attributes: try attributes(of: dataset.attributes)))
            case .other:
                objects.append(Object(path: path, kind: .other))
            }
        }
    }

    private static func attributes(of attributes: HDF5Attributes) throws -> [Attribute] {
        try attributes.names().map { name in
            do {
                return Attribute(name: name, value: try attributes.read(name))
            } catch let error as HDF5Error {
                return Attribute(name: name, value: nil, problem: error.reason)
            }
        }
    }
}
