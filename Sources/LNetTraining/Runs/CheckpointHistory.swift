import Foundation
import LNetStorage

/// The numbered checkpoints `--keep K` leaves beside the main one:
/// `<stem>-epoch<N>.h5`, the last K of them.
struct CheckpointHistory {
    let folder: String
    let stem: String
    let fileExtension: String

    init(path: String) {
        let url = URL(fileURLWithPath: path)
        folder = url.deletingLastPathComponent().path
        let ext = url.pathExtension
        fileExtension = ext.isEmpty ? ".h5" : "." + ext
        stem = ext.isEmpty ? url.lastPathComponent : String(url.lastPathComponent.dropLast(ext.count + 1))
    }

    func path(epoch: Int) -> String {
        folder + "/" + stem + "-epoch\(epoch)" + fileExtension
    }

    /// Keeps the checkpoint just written at `current` as the one for `epoch`,
    /// and removes all but the `last` most recent numbered ones, and the
    /// temporary files of numbered ones that killed runs were writing (their
    /// names never come back, so the next write to the same name would never
    /// remove them).
    ///
    /// The numbered file is a hard link to `current`, put in place atomically:
    /// the next save renames a new file over `current`, so the link keeps
    /// these bytes, and nothing is encoded or written twice.
    func keep(current: String, epoch: Int, last: Int) throws {
        try AtomicFile.replace(path(epoch: epoch), withLinkTo: current)
        let prefix = stem + "-epoch"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let temporaryMarker = fileExtension + AtomicFile.temporaryMarker
        var temporaryTargets = Set<String>()
        for name in names where name.hasPrefix(prefix) {
            guard let marker = name.range(of: temporaryMarker, options: .backwards) else { continue }
            temporaryTargets.insert(String(name[..<marker.lowerBound]) + fileExtension)
        }
        for target in temporaryTargets.sorted() {
            // Only temporaries of processes no longer running are removed.
            AtomicFile.removeStaleTemporaries(of: folder + "/" + target)
        }
        let numbered = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(prefix), name.hasSuffix(fileExtension) else { return nil }
            let digits = name.dropFirst(prefix.count).dropLast(fileExtension.count)
            return Int(digits).map { ($0, name) }
        }.sorted { $0.0 > $1.0 }
        for (_, name) in numbered.dropFirst(last) {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }
}
