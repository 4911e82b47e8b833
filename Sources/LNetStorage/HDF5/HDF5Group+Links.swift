import CHDF5

/// What a link in a group stores: a hard link names an object; a soft link
/// a path in the same file; an external link a path in another file. Lets a
/// message say where a link that leads nowhere was meant to lead.
public enum HDF5LinkTarget: Sendable, Equatable {
    /// A hard link (an object of this file).
    case hard
    /// A soft link to `path` in the same file.
    case soft(path: String)
    /// An external link to `path` in the file `file` (as stored, maybe relative).
    case external(file: String, path: String)
    /// A user-defined link class.
    case other
}

extension HDF5Group {
    /// What the link at `path` stores, or nil when there is no such link
    /// (or a group above it is missing). The target need not exist: this is
    /// how a dangling soft link or an external link to a missing file is told
    /// apart from a name that is not there at all.
    public func linkTarget(_ path: String) throws -> HDF5LinkTarget? {
        let full = HDF5Path.resolve(path, relativeTo: self.path)
        return try handle.with("read link") { id, _ in
            guard try HDF5Group.linkExists(id, full) else { return nil }
            var size = 0
            let kind = lnet_link_kind(id, full, &size)
            defer { _ = H5Eclear2(lnet_H5E_DEFAULT()) }
            switch kind {
            case 0: return .hard
            case 1, 2:
                guard size > 0, size < 1 << 20 else { return .other }
                var value = [CChar](repeating: 0, count: size + 1)
                guard H5Lget_val(id, full, &value, size, lnet_H5P_DEFAULT()) >= 0 else { return .other }
                if kind == 1 { return .soft(path: String(cString: value)) }
                // The unpacked names point into `value`, so they are copied while it is alive.
                return value.withUnsafeBytes { bytes -> HDF5LinkTarget in
                    var flags: UInt32 = 0
                    var file: UnsafePointer<CChar>?
                    var objectPath: UnsafePointer<CChar>?
                    guard H5Lunpack_elink_val(bytes.baseAddress, size, &flags, &file, &objectPath) >= 0,
                          let file, let objectPath else { return .other }
                    return .external(file: String(cString: file), path: String(cString: objectPath))
                }
            case 3: return .other
            default: return nil
            }
        }
    }
}
