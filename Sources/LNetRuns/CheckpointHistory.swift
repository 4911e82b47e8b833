import Foundation
import LNetStorage
import LNetTraining

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
    ///
    /// Files that are the run's `inputs` (a dataset someone named like a
    /// numbered checkpoint) are never replaced or removed.
    func keep(current: String, epoch: Int, last: Int, sparing inputs: InputFiles = InputFiles([])) throws {
        try inputs.refuse(output: path(epoch: epoch))
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
        for (_, name) in numbered(among: names).dropFirst(last) where inputs.input(sameAs: folder + "/" + name) == nil {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    /// Throws when a numbered checkpoint's name is already one of the run's
    /// `inputs`, before any training: the history would replace or remove it.
    func refuseInputs(_ inputs: InputFiles) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for (_, name) in numbered(among: names) { try inputs.refuse(output: folder + "/" + name) }
    }

    /// The numbered checkpoints among `names`, newest first.
    private func numbered(among names: [String]) -> [(epoch: Int, name: String)] {
        let prefix = stem + "-epoch"
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(prefix), name.hasSuffix(fileExtension) else { return nil }
            let digits = name.dropFirst(prefix.count).dropLast(fileExtension.count)
            return Int(digits).map { ($0, name) }
        }.sorted { $0.0 > $1.0 }
    }
}
