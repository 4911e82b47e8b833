import ArgumentParser
import LNetStorage

/// `lnet inspect FILE [OBJECT] [--stats] [--json]`: the groups, datasets and
/// attributes of an HDF5 file, a checkpoint's summary, or one dataset's
/// values. The work is done by `InspectionReport` in LNetStorage.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what an HDF5 or safetensors file holds: its tree, a checkpoint's summary, or one dataset's values.",
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

            An LNet checkpoint is summarised instead: architecture, parameter \
            count, optimizer and its step t, learning rate, epochs, last cost, \
            data and its fingerprint, then a table of its tensors:

              $ lnet inspect cat.h5 --stats
              LNet checkpoint cat.h5 (format 1, written by lnet 0.1.0)
                architecture   12288 → 20 → 7 → 5 → 1 (relu, relu, relu, sigmoid)
                optimizer      adam, t = 20, beta1 0.9, beta2 0.999, epsilon 1e-08
                …
              tensor          shape        dtype    min  max  mean  std  L2 norm  NaN  Inf
              /parameters/W1  (20, 12288)  float64  …

            --stats adds min, max, mean, std, L2 norm and the NaN/Inf counts of \
            every numeric dataset (of any file). Naming an object prints a \
            dataset's values as numpy prints them (summarised past 1000 elements), \
            or a group's subtree:

              $ lnet inspect cat.h5 /parameters/b4
              [[-0.10816748]]

            With --json, one JSON object {"file": …, "objects": [ … ]}; each object \
            has the keys path, kind, dtype, shape, filters and attributes, plus \
            chunks when chunked and stats with --stats. A checkpoint adds \
            "checkpoint" (the summary), a dataset object "object" and "values". \
            NaN and infinities are written as null:

              $ lnet inspect train_catvnoncat.h5 --json | jq -c '.objects[].shape'
              null
              [2]
              [209,64,64,3]
              [209]

            A dataset file (formats/dataset.md) is checked after its tree: m, n_x \
            and the dtype; the class histogram, with class names when the file \
            has classes, beside the --test file's; NaN and Inf counts; the spread \
            of the features' standard deviations, with a hint to train with \
            --standardize when they differ by more than 100 times; and a warning \
            when x looks features-first, the course's X of shape (n_x, m) stored as \
            it is (2-D x whose last dimension, not its first, is y's length). x is \
            read in blocks, so any size fits in memory. With --json: "dataset".

            A .safetensors file shows its header length, data size, __metadata__ \
            and a table of its tensors (name, dtype, shape, byte range; --stats \
            adds the statistics); naming a tensor (lnet inspect m.safetensors \
            0.weight) prints its values; --json gives {"file", "format", \
            "header_length", "data_length", "metadata", "tensors": [{"name", \
            "dtype", "shape", "data_offsets", "stats"}]}.

            A missing, empty or damaged file, or a missing object, prints one \
            `error:` line on stderr and exits with status 1.
            """
    )

    @Argument(help: "The HDF5 or .safetensors file to describe.")
    var file: String

    @Argument(help: "One group or dataset in it, e.g. /parameters/W1 (a tensor of a .safetensors file, e.g. 0.weight).")
    var object: String?

    @Flag(name: .long, help: "Add min, max, mean, std, L2 norm and NaN/Inf counts of numeric datasets.")
    var stats = false

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Option(help: "For a dataset file: a test dataset whose class histogram is shown beside it.")
    var test: String?

    func run() throws {
        // safetensors is read by LNet's own bounded parser, in this process: no libhdf5 involved.
        if !HDF5File.hasSignature(file), SafetensorsFile.looksLikeSafetensors(file) {
            try reportingErrors {
                let report = try SafetensorsReport(path: file, tensor: object, statistics: stats)
                print(json ? report.renderJSON() : report.renderText(), terminator: "")
            }
            return
        }
        // libhdf5 can crash or hang on a crafted file: read it in a limited child (ProbeHDF5.swift).
        if !Isolation.readsDirectly {
            try Isolation.relay(
                file: file,
                arguments: ["inspect", file] + (object.map { [$0] } ?? []) + (stats ? ["--stats"] : []) + (json ? ["--json"] : [])
                    + (test.map { ["--test", $0] } ?? []))
        }
        try reportingErrors {
            let report = try InspectionReport(path: file, object: object, statistics: stats, testPath: test)
            var text = json ? report.renderJSON() : report.renderText()
            if !json, report.numpyText == nil, report.checkpoint != nil {
                text += "\n(lnet inspect FILE /parameters/W1 prints a tensor's values; --json adds the whole tree)\n"
            }
            print(text, terminator: "")
        }
    }
}
