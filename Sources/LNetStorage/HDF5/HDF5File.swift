import CHDF5
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An open HDF5 file.
///
/// Close it with `close()` to release it at a known point (for example before
/// another process reads it); otherwise it is closed when the file value and
/// every group and dataset opened from it are gone.
///
/// ```swift
/// let file = try HDF5File.create(at: "model.h5", mode: .truncate)
/// try file.root.createDataset("W1", shape: [4, 3], data: weights)
/// try file.attributes.write("epochs", .int64(2500))
/// try file.close()
/// ```
///
/// A write that fails (full disk, I/O error) is reported by `close()` (or by the
/// call that met it) and the file is then *abandoned*, never closed by libhdf5:
/// see `abandon(after:)` for why.
///
/// `@unchecked Sendable`: the mutable state (`closed`, `writeFailure`) is read
/// and written under `HDF5Library`'s lock, like every HDF5 call.
public final class HDF5File: @unchecked Sendable {
    /// What `create` does when a file already exists at the path.
    public enum CreateMode: Sendable {
        /// Throw an `.alreadyExists` error and leave the file alone.
        case failIfExists
        /// Replace the existing file.
        case truncate
    }

    /// How `open` opens an existing file.
    public enum AccessMode: Sendable {
        /// Reading only; writes throw.
        case readOnly
        /// Reading and writing.
        case readWrite
    }

    /// The path the file was created or opened with.
    public let path: String
    /// How the file was opened (`.readWrite` for created files).
    public let accessMode: AccessMode

    private let id: hid_t
    private var closed = false
    /// The first write failure met while flushing a dataset on its way to being
    /// closed (in a `deinit`, which cannot throw); `close()` throws it.
    private var writeFailure: HDF5Error?

    private init(id: hid_t, path: String, accessMode: AccessMode) {
        self.id = id
        self.path = path
        self.accessMode = accessMode
    }

    deinit {
        HDF5Library.sync {
            guard !closed else { return }
            // Flushed first for the same reason as in `close()`: a close must
            // never be the call that meets a failing write.
            if accessMode == .readWrite, H5Fflush(id, H5F_SCOPE_LOCAL) < 0 {
                abandonUnlocked()
                return
            }
            _ = H5Fclose(id)
        }
    }

    /// Creates a new file.
    public static func create(at path: String, mode: CreateMode = .failIfExists) throws -> HDF5File {
        let site = HDF5Site(file: path)
        let operation = "create file"
        if mode == .failIfExists, FileManager.default.fileExists(atPath: path) {
            throw site.error(.alreadyExists, operation, "a file already exists at this path")
        }
        return try HDF5Library.sync {
            let access = try fileAccessList(site: site, operation: operation)
            defer { _ = H5Pclose(access) }
            let flags = mode == .truncate ? lnet_H5F_ACC_TRUNC() : lnet_H5F_ACC_EXCL()
            let id = H5Fcreate(path, flags, lnet_H5P_DEFAULT(), access)
            if id < 0 {
                throw site.libraryError(operation)
            }
            return HDF5File(id: id, path: path, accessMode: .readWrite)
        }
    }

    /// True when `path` begins with HDF5's 8-byte signature. Costs one small
    /// read and never calls libhdf5, so it is safe on any file.
    public static func hasSignature(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        return head == Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// Opens an existing file.
    ///
    /// A missing, empty or non-HDF5 file throws an error saying so
    /// (`.noSuchFile`, `.notHDF5File`); a truncated one, HDF5's own reason.
    public static func open(at path: String, mode: AccessMode = .readOnly) throws -> HDF5File {
        let site = HDF5Site(file: path)
        let operation = "open file"
        try precheck(path, site: site, operation: operation)
        return try HDF5Library.sync {
            let signature = H5Fis_hdf5(path)
            if signature == 0 {
                throw site.error(.notHDF5File, operation, "not an HDF5 file (no HDF5 signature found)")
            }
            // A negative answer (unreadable, say) falls through to H5Fopen,
            // whose error stack says why.
            _ = H5Eclear2(lnet_H5E_DEFAULT())
            let access = try fileAccessList(site: site, operation: operation)
            defer { _ = H5Pclose(access) }
            let flags = mode == .readOnly ? lnet_H5F_ACC_RDONLY() : lnet_H5F_ACC_RDWR()
            let id = H5Fopen(path, flags, access)
            if id < 0 {
                throw site.libraryError(operation)
            }
            return HDF5File(id: id, path: path, accessMode: mode)
        }
    }

    /// Checks that `path` names a non-empty regular file, so the common
    /// mistakes get a plain message rather than HDF5's.
    private static func precheck(_ path: String, site: HDF5Site, operation: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw site.error(.noSuchFile, operation, "no such file")
        }
        if isDirectory.boolValue {
            throw site.error(.notHDF5File, operation, "is a directory, not an HDF5 file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        if size == 0 {
            throw site.error(.notHDF5File, operation, "the file is empty (0 bytes), not an HDF5 file")
        }
    }

    /// A file-access property list with the strong close degree: closing the
    /// file closes every object opened from it, so `close()` really releases
    /// the file (h5py does the same).
    private static func fileAccessList(site: HDF5Site, operation: String) throws -> hid_t {
        let access = try site.check(H5Pcreate(lnet_H5P_FILE_ACCESS()), operation)
        // No flock(2) on open files: HDF5 opens them without O_CLOEXEC, so a
        // child process started meanwhile (a test running Python, say) would
        // inherit the lock and keep the file locked after we close it. Writers
        // never share a file anyway: checkpoints are written to a temporary
        // file and renamed into place.
        if H5Pset_fclose_degree(access, H5F_CLOSE_STRONG) < 0 || H5Pset_file_locking(access, false, true) < 0 {
            let error = site.libraryError(operation)
            _ = H5Pclose(access)
            throw error
        }
        return access
    }

    /// Whether `close()` has been called. Read it only under the HDF5 lock.
    var isClosedUnlocked: Bool { closed }

    /// Whether the file has been closed.
    public var isClosed: Bool { HDF5Library.sync { closed } }

    /// Closes the file and every group and dataset opened from it; using them
    /// afterwards throws a `.closed` error. Closing twice does nothing.
    ///
    /// A file opened for writing is flushed first, and if that fails (or a
    /// dataset's flush failed earlier) the file is abandoned and the failure
    /// thrown: it is then never closed by libhdf5 at all (`abandon(after:)`).
    public func close() throws {
        try HDF5Library.sync {
            guard !closed else { return }
            if let writeFailure {
                abandonUnlocked()
                throw writeFailure
            }
            if accessMode == .readWrite, H5Fflush(id, H5F_SCOPE_LOCAL) < 0 {
                let error = HDF5Site(file: path).libraryError("write file")
                abandonUnlocked()
                throw error
            }
            closed = true
            if H5Fclose(id) < 0 {
                throw HDF5Site(file: path).libraryError("close file")
            }
        }
    }

    /// Records a write failure met while flushing a dataset before closing it;
    /// called under the lock by `HDF5ObjectHandle`.
    func recordWriteFailureUnlocked(_ error: HDF5Error) {
        if writeFailure == nil { writeFailure = error }
    }

    /// Whether a write to this file has failed; its objects must then not be
    /// closed (see `abandonUnlocked()`). Read it only under the HDF5 lock.
    var hasFailedWriteUnlocked: Bool { writeFailure != nil || abandoned }

    private var abandoned = false

    /// Gives the file up after a failed write, without ever calling `H5Fclose`.
    ///
    /// libhdf5 1.10 (before 1.14.1, HDFGroup/hdf5#2291) frees a file or a dataset
    /// whose close failed but keeps its identifier registered; the next close of
    /// it (ours, a strong close iterating the open objects, or the library's
    /// cleanup at exit) then reads freed memory and the process dies of SIGSEGV.
    /// A close fails when it is the call that meets a failing write, so every
    /// close of a writable object is preceded by an explicit flush, and once a
    /// flush has failed nothing of the file is closed any more: its identifiers
    /// stay registered (a few MiB of caches, once per failed write), the library's
    /// cleanup at exit is off (`HDF5Library`), and its descriptor is pointed at
    /// /dev/null so that the disk space of the unlinked temporary file is
    /// released now. The file's content is forfeit; the writer removes it.
    private func abandonUnlocked() {
        closed = true
        guard !abandoned else { return }
        abandoned = true
        var handle: UnsafeMutableRawPointer?
        // The sec2 driver's handle is a pointer to its `int` descriptor.
        if H5Fget_vfd_handle(id, lnet_H5P_DEFAULT(), &handle) >= 0, let handle {
            let descriptor = handle.load(as: Int32.self)
            let null = Glibc.open("/dev/null", O_RDWR | O_CLOEXEC)
            if null >= 0, descriptor >= 0 {
                _ = dup2(null, descriptor)
            }
            if null >= 0 { _ = Glibc.close(null) }
        }
        _ = H5Eclear2(lnet_H5E_DEFAULT())
    }

    /// Writes buffered data to disk without closing the file.
    public func flush() throws {
        _ = try withID("flush file") { id, site in
            try site.check(H5Fflush(id, H5F_SCOPE_LOCAL), "flush file")
        }
    }

    /// Runs `body` with the file identifier under the lock, if still open.
    func withID<T>(_ operation: String, _ body: (hid_t, HDF5Site) throws -> T) throws -> T {
        try HDF5Library.sync {
            let site = HDF5Site(file: path)
            if closed { throw site.error(.closed, operation, "the file has been closed") }
            return try body(id, site)
        }
    }

    /// The root group, "/".
    public var root: HDF5Group {
        get throws {
            try withID("open group") { id, site in
                let group = H5Gopen2(id, "/", lnet_H5P_DEFAULT())
                if group < 0 {
                    throw HDF5Site(file: path, path: "/").libraryError("open group")
                }
                return HDF5Group(handle: HDF5ObjectHandle(id: group, file: self, path: "/"))
            }
        }
    }

    /// The attributes of the root group, which h5py shows as the file's attributes.
    public var attributes: HDF5Attributes {
        get throws { try root.attributes }
    }

    /// Opens the group at an absolute path.
    public func group(at path: String) throws -> HDF5Group {
        try root.openGroup(path)
    }

    /// Opens the dataset at an absolute path.
    public func dataset(at path: String) throws -> HDF5Dataset {
        try root.openDataset(path)
    }

    /// Whether an object exists at `path`; a missing parent gives `false`.
    public func exists(_ path: String) throws -> Bool {
        try root.exists(path)
    }
}
