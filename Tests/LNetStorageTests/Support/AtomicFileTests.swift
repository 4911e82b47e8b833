import Foundation
import LNetTestSupport
import Testing
@testable import LNetStorage

struct AtomicFileTests {
    private func makeFolder() throws -> URL { try Repository.scratchFolder("atomic") }

    @Test func replacesTheFileWhole() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("ckpt.h5").path
        try AtomicFile.replace(target) { try Data("old".utf8).write(to: URL(fileURLWithPath: $0)) }
        try AtomicFile.replace(target) { try Data("new".utf8).write(to: URL(fileURLWithPath: $0)) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["ckpt.h5"])
    }

    /// A write that cannot happen is refused in plain words before the writer runs.
    @Test func anOutputWithoutAWritableFolderIsRefusedInPlainWords() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var wrote = false
        let missing = folder.appendingPathComponent("no-such-folder/ckpt.h5").path
        let error = try #require(throws: AtomicFile.Failure.self) {
            try AtomicFile.replace(missing) { _ in wrote = true }
        }
        #expect(error.description == "\(missing): write failed: no such folder \(folder.path)/no-such-folder")
        #expect(throws: AtomicFile.Failure.self) { try AtomicFile.checkWritable(folder.path) }
        #expect(!wrote)
        try AtomicFile.checkWritable(folder.appendingPathComponent("new.h5").path)
    }

    @Test func aFailedWriteLeavesThePreviousFileAndNoTemporary() throws {
        struct Interrupted: Error {}
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("ckpt.h5").path
        try AtomicFile.replace(target) { try Data("old".utf8).write(to: URL(fileURLWithPath: $0)) }
        #expect(throws: Interrupted.self) {
            try AtomicFile.replace(target) { temporary in
                try Data("half".utf8).write(to: URL(fileURLWithPath: temporary))
                throw Interrupted()
            }
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["ckpt.h5"])
    }

    @Test func temporariesOfDeadProcessesAreRemovedByTheNextWrite() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("ckpt.h5").path
        // PIDs above the kernel's pid_max (at most 2^22) cannot be running.
        let stale = target + ".tmp-99999999"
        let alive = target + ".tmp-1"  // init is always running
        _ = FileManager.default.createFile(atPath: stale, contents: Data("killed".utf8))
        _ = FileManager.default.createFile(atPath: alive, contents: Data("running".utf8))
        try AtomicFile.replace(target) { try Data("new".utf8).write(to: URL(fileURLWithPath: $0)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["ckpt.h5", "ckpt.h5.tmp-1"])
    }
}
