import ArgumentParser
import LNetStorage

/// `lnet inspect FILE [--json]`: the groups, datasets and attributes of an
/// HDF5 file. The work is done by `HDF5FileTree` in LNetStorage.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every group, dataset and attribute in an HDF5 file.",
        discussion: """
            Lists the file recursively, like `h5ls -r -v`: each dataset's shape \
            (h5ls notation: {3/Inf, 3} grows without limit), numpy dtype, storage \
            (chunks, filters, bytes in the file) and every attribute.

            Example:

              $ lnet inspect train_catvnoncat.h5
              /                        Group
              /list_classes            Dataset {2}
                  Type:      |S7 (fixed-length string, 7 bytes)
                  Storage:   contiguous; 14 bytes in file
              /train_set_x             Dataset {209, 64, 64, 3}
                  Type:      uint8
                  Storage:   contiguous; 2568192 bytes in file
              /train_set_y             Dataset {209}
                  Type:      int64
                  Storage:   contiguous; 1672 bytes in file

            With --json, one JSON object {"file": …, "objects": [ … ]}; each object \
            has the keys path, kind, dtype, shape, filters and attributes, plus \
            chunks when chunked. NaN and infinities are written as null:

              $ lnet inspect train_catvnoncat.h5 --json | jq -c '.objects[].shape'
              null
              [2]
              [209,64,64,3]
              [209]

            A missing, empty or damaged file prints one `error:` line on stderr \
            and exits with status 1.
            """
    )

    @Argument(help: "The HDF5 file to describe.")
    var file: String

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            let tree = try HDF5FileTree(describing: file)
            print(json ? tree.renderJSON() : tree.renderText(), terminator: "")
        }
    }
}
