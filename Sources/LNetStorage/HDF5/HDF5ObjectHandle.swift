import CHDF5

/// An open HDF5 object (group or dataset) identifier, closed when the last
/// Swift value using it goes away.
///
/// It keeps its `HDF5File` alive, so the file's own `deinit` runs only after
/// every object opened from it is gone. If the file is closed explicitly first,
/// HDF5 (with the strong close degree set at open) has already closed this
/// identifier, and `deinit` must not close it again.
///
/// `@unchecked Sendable`: the identifier is immutable and every use of it
/// happens under `HDF5Library`'s lock.
final class HDF5ObjectHandle: @unchecked Sendable {
    let id: hid_t
    let file: HDF5File
    /// The absolute path the object was opened at, for error messages.
    let path: String

    init(id: hid_t, file: HDF5File, path: String) {
        self.id = id
        self.file = file
        self.path = path
    }

    var site: HDF5Site { HDF5Site(file: file.path, path: path) }

    deinit {
        HDF5Library.sync {
            guard !file.isClosedUnlocked, !file.hasFailedWriteUnlocked, H5Iis_valid(id) > 0 else { return }
            // A dataset writes its cached chunks when it closes; a close that
            // fails that way leaves a dangling identifier in libhdf5 1.10 (see
            // `HDF5File.abandonUnlocked()`). So the chunks are flushed first,
            // and a dataset whose flush failed is never closed.
            if file.accessMode == .readWrite, H5Iget_type(id) == H5I_DATASET, H5Dflush(id) < 0 {
                file.recordWriteFailureUnlocked(site.libraryError("write dataset"))
                return
            }
            _ = H5Oclose(id)
        }
    }

    /// Runs `body` with the identifier, under the lock, after checking that
    /// the file is still open.
    func with<T>(_ operation: String, _ body: (hid_t, HDF5Site) throws -> T) throws -> T {
        try HDF5Library.sync {
            if file.isClosedUnlocked {
                throw site.error(.closed, operation, "the file has been closed")
            }
            return try body(id, site)
        }
    }
}

/// Path arithmetic for HDF5 object paths ("/a/b/c").
enum HDF5Path {
    /// Joins a path relative to `base`; an absolute `path` stands on its own.
    static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return normalise(path) }
        return normalise(base + "/" + path)
    }

    /// Removes repeated and trailing slashes and "." components.
    static func normalise(_ path: String) -> String {
        let parts = components(path)
        return "/" + parts.joined(separator: "/")
    }

    /// The non-empty components of a path.
    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true)
            .map(String.init)
            .filter { $0 != "." }
    }

    /// Rejects paths HDF5 cannot name an object with.
    static func validateName(_ path: String, site: HDF5Site, operation: String) throws {
        if components(path).isEmpty {
            throw site.error(.invalidArgument, operation, "the path '\(path)' names no object")
        }
        if path.utf8.contains(0) {
            throw site.error(.invalidArgument, operation, "the path contains a NUL character")
        }
    }
}
