import CHDF5

/// What kind of object a group member is.
public enum HDF5ObjectKind: String, Hashable, Sendable, CustomStringConvertible {
    /// A group: a folder of other objects.
    case group
    /// A dataset: an n-dimensional array.
    case dataset
    /// A named datatype, a dangling soft link, an external link that cannot be resolved…
    case other

    /// "group", "dataset" or "other".
    public var description: String { rawValue }
}

/// One entry of a group: its link name and what it points to.
public struct HDF5Member: Hashable, Sendable {
    /// The link name inside the group (not a path).
    public let name: String
    /// What the link resolves to.
    public let kind: HDF5ObjectKind

    /// Makes a member entry.
    public init(name: String, kind: HDF5ObjectKind) {
        self.name = name
        self.kind = kind
    }
}

/// An open HDF5 group: a folder of named groups and datasets.
///
/// Paths given to its methods are relative to the group, or absolute
/// (starting with "/") from the file's root.
///
/// `@unchecked Sendable`: it holds only an immutable identifier, used under
/// `HDF5Library`'s lock.
public final class HDF5Group: @unchecked Sendable {
    let handle: HDF5ObjectHandle

    init(handle: HDF5ObjectHandle) {
        self.handle = handle
    }

    /// The group's absolute path in its file, "/" for the root.
    public var path: String { handle.path }

    /// The file the group belongs to.
    public var file: HDF5File { handle.file }

    /// The group's attributes.
    public var attributes: HDF5Attributes { HDF5Attributes(handle: handle) }

    /// Creates a group, and any missing groups above it ("a/b/c" creates a and b).
    @discardableResult
    public func createGroup(_ path: String) throws -> HDF5Group {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        let operation = "create group"
        return try handle.with(operation) { id, site in
            let site = HDF5Site(file: site.file, path: full)
            try HDF5Path.validateName(path, site: site, operation: operation)
            if try HDF5Group.linkExists(id, full) {
                throw site.error(.alreadyExists, operation, "an object with this name already exists")
            }
            let links = try HDF5Group.intermediateLinkList(site: site, operation: operation)
            defer { _ = H5Pclose(links) }
            let group = H5Gcreate2(id, full, links, lnet_H5P_DEFAULT(), lnet_H5P_DEFAULT())
            if group < 0 { throw site.libraryError(operation) }
            return HDF5Group(handle: HDF5ObjectHandle(id: group, file: handle.file, path: full))
        }
    }

    /// Opens an existing group.
    public func openGroup(_ path: String) throws -> HDF5Group {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        let operation = "open group"
        return try handle.with(operation) { id, site in
            let site = HDF5Site(file: site.file, path: full)
            try HDF5Group.requireKind(.group, id: id, path: full, site: site, operation: operation)
            let group = H5Gopen2(id, full, lnet_H5P_DEFAULT())
            if group < 0 { throw site.libraryError(operation) }
            return HDF5Group(handle: HDF5ObjectHandle(id: group, file: handle.file, path: full))
        }
    }

    /// Opens an existing dataset.
    public func openDataset(_ path: String) throws -> HDF5Dataset {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        let operation = "open dataset"
        return try handle.with(operation) { id, site in
            let site = HDF5Site(file: site.file, path: full)
            try HDF5Group.requireKind(.dataset, id: id, path: full, site: site, operation: operation)
            let dataset = H5Dopen2(id, full, lnet_H5P_DEFAULT())
            if dataset < 0 { throw site.libraryError(operation) }
            return HDF5Dataset(handle: HDF5ObjectHandle(id: dataset, file: handle.file, path: full))
        }
    }

    /// The group's members in name order, each with its kind.
    public func members() throws -> [HDF5Member] {
        try handle.with("list group") { id, site in
            final class Box { var names: [String] = [] }
            let box = Box()
            var index: hsize_t = 0
            let status = withExtendedLifetime(box) {
                H5Literate(id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, data in
                    guard let name, let data else { return -1 }
                    Unmanaged<Box>.fromOpaque(data).takeUnretainedValue().names.append(String(cString: name))
                    return 0
                }, Unmanaged.passUnretained(box).toOpaque())
            }
            try site.check(status, "list group")
            return box.names.map { name in
                HDF5Member(name: name, kind: HDF5Group.kind(id, name))
            }
        }
    }

    /// Whether an object exists at `path`.
    ///
    /// Each component is checked in turn, so a missing parent gives `false`
    /// rather than an error, and so does a soft link that leads nowhere.
    public func exists(_ path: String) throws -> Bool {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        return try handle.with("check path") { id, _ in
            try HDF5Group.objectExists(id, full)
        }
    }

    /// Whether the link at `full` and all its parents exist, and it resolves to an object.
    static func objectExists(_ id: hid_t, _ full: String) throws -> Bool {
        let parts = HDF5Path.components(full)
        if parts.isEmpty { return true }
        var prefix = ""
        for part in parts {
            prefix += "/" + part
            if H5Lexists(id, prefix, lnet_H5P_DEFAULT()) <= 0 {
                _ = H5Eclear2(lnet_H5E_DEFAULT())
                return false
            }
        }
        let resolves = H5Oexists_by_name(id, full, lnet_H5P_DEFAULT()) > 0
        _ = H5Eclear2(lnet_H5E_DEFAULT())
        return resolves
    }

    /// Whether the final link at `full` exists (its object may not resolve).
    static func linkExists(_ id: hid_t, _ full: String) throws -> Bool {
        let parts = HDF5Path.components(full)
        var prefix = ""
        for part in parts {
            prefix += "/" + part
            if H5Lexists(id, prefix, lnet_H5P_DEFAULT()) <= 0 {
                _ = H5Eclear2(lnet_H5E_DEFAULT())
                return false
            }
        }
        return true
    }

    /// The kind of the object at `name` (relative to `id`).
    static func kind(_ id: hid_t, _ name: String) -> HDF5ObjectKind {
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(id, name, &info, UInt32(H5O_INFO_BASIC), lnet_H5P_DEFAULT()) >= 0 else {
            _ = H5Eclear2(lnet_H5E_DEFAULT())
            return .other
        }
        switch info.type {
        case H5O_TYPE_GROUP: return .group
        case H5O_TYPE_DATASET: return .dataset
        default: return .other
        }
    }

    /// The object's address in the file, which identifies it across hard links.
    static func address(_ id: hid_t, _ name: String) -> UInt64? {
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(id, name, &info, UInt32(H5O_INFO_BASIC), lnet_H5P_DEFAULT()) >= 0 else {
            _ = H5Eclear2(lnet_H5E_DEFAULT())
            return nil
        }
        return UInt64(info.addr)
    }

    /// Throws `.notFound` or `.typeMismatch` unless `full` is an object of `kind`,
    /// so opening the wrong thing says so plainly.
    static func requireKind(
        _ wanted: HDF5ObjectKind, id: hid_t, path full: String, site: HDF5Site, operation: String
    ) throws {
        guard try objectExists(id, full) else {
            throw site.error(.notFound, operation, "no such object")
        }
        let found = kind(id, full)
        if found != wanted {
            throw site.error(.typeMismatch, operation, "the object is a \(found), not a \(wanted)")
        }
    }

    /// A link-creation property list that creates missing parent groups.
    static func intermediateLinkList(site: HDF5Site, operation: String) throws -> hid_t {
        let links = try site.check(H5Pcreate(lnet_H5P_LINK_CREATE()), operation)
        if H5Pset_create_intermediate_group(links, 1) < 0 {
            let error = site.libraryError(operation)
            _ = H5Pclose(links)
            throw error
        }
        return links
    }
}

extension HDF5Group {
    /// The address of the object at `path`, for detecting hard-link cycles
    /// while walking a file.
    func objectAddress(_ path: String) throws -> UInt64? {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        return try handle.with("inspect object") { id, _ in HDF5Group.address(id, full) }
    }
}
