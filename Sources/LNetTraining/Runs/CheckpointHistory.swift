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

    /// Writes `checkpoint` as the one for `epoch` and removes all but the
    /// `last` most recent numbered ones.
    func keep(_ checkpoint: Checkpoint, epoch: Int, last: Int) throws {
        try CheckpointFile.write(checkpoint, to: path(epoch: epoch))
        let prefix = stem + "-epoch"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
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
