#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file as the file system knows it: its device and inode. Two names (a
/// symbolic link, a hard link, `./a.h5` and `a.h5`) reach the same file exactly
/// when their identities are equal, which is how a command tells that an
/// output would replace one of its own inputs, whatever the names say.
public struct FileIdentity: Hashable, Sendable {
    /// The device the file lives on (`st_dev`).
    public let device: UInt64
    /// The file's inode on that device (`st_ino`).
    public let inode: UInt64

    /// The identity with these numbers (from an `fstat` of an open file, say).
    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity of the file `path` names, following symbolic links; nil
    /// when nothing is there (a missing file or a dangling link).
    public init?(path: String) {
        var status = stat()
        guard !path.isEmpty, stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}

/// An output that is one of the same command's inputs (the same file, reached
/// by the same name or through a link). Writing it would destroy the input, so
/// it is refused even when overwriting was asked for.
public struct OutputIsInputError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The output as the user named it.
    public let output: String
    /// The input it would replace, as the user (or the checkpoint) named it.
    public let input: String

    /// `OUTPUT: is the input INPUT`, what is wrong without the advice (the CLI adds it).
    public var problem: String {
        output == input ? "is also an input of this command" : "is the same file as the input \(input)"
    }

    /// `OUTPUT: is the input INPUT …`, in the library's words.
    public var description: String {
        "\(output): \(problem); an output never replaces an input, even when overwriting is asked for: choose another name"
    }
}

/// An output that exists already, when overwriting it was not asked for.
public struct OutputExistsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The output as the user named it.
    public let path: String

    /// Makes the error for `path`.
    public init(path: String) { self.path = path }

    /// `PATH: the file exists`.
    public var description: String { "\(path): the file exists" }
}

/// The files a command reads, which none of its outputs may be.
public struct InputFiles: Sendable {
    private let identities: [(path: String, identity: FileIdentity)]

    /// The inputs named by `paths`; names that lead to no file are left out
    /// (the reader reports them).
    public init(_ paths: [String]) {
        identities = paths.compactMap { path in FileIdentity(path: path).map { (path, $0) } }
    }

    /// The input that `path` would replace, if any.
    public func input(sameAs path: String) -> String? {
        guard let identity = FileIdentity(path: path) else { return nil }
        return identities.first { $0.identity == identity }?.path
    }

    /// Throws ``OutputIsInputError`` when `output` is one of these inputs.
    public func refuse(output: String) throws {
        if let input = input(sameAs: output) { throw OutputIsInputError(output: output, input: input) }
    }
}
