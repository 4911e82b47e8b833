import ArgumentParser
import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict the class of every example of a dataset with a saved network.",
        discussion: """
            Writes HDF5 (predicted, probabilities, classes) or, for a .csv name, one row per example: \
            the predicted class, its name when the checkpoint has class names, and the probability of each class. \
            The data needs no labels.

              lnet predict cat.h5 --data test_catvnoncat.h5 -o predictions.csv
            """)

    @Argument(help: "A checkpoint (a parameters-only one will do).")
    var checkpoint: String

    @Option(help: "The dataset; its y, if any, is ignored.")
    var data: String

    @OptionGroup var features: FeaturesNameOption

    @Option(name: .shortAndLong, help: "The output file, .h5 or .csv.")
    var output: String

    @Flag(help: "Overwrite an existing output file.")
    var force = false

    @OptionGroup var threading: ThreadOptions

    func validate() throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("\(output) is a folder: -o takes a file name ending in .h5 or .csv")
        }
        guard PredictionFile.Format.detect(path: output) != nil else {
            throw ValidationError("-o \(output): the name must end in .h5 (or .hdf5) for HDF5, or .csv for text")
        }
    }

    func run() throws {
        try Isolation.probe([checkpoint, data])
        try reportingErrors {
            threading.apply()
            try checkOutput(output, force: force, inputs: [checkpoint, data])
            // Notes wait for success, so that a refusal stays one `error:` line.
            var notes: [String] = []
            let table = try SavedModel(path: checkpoint, notes: { notes.append($0) }).predict(dataPath: data, x: features.x)
            try PredictionFile.write(
                to: output, predicted: table.predicted, probabilities: table.probabilities,
                classCount: table.classCount, classNames: table.classNames)
            notes.forEach(printNote)
        }
    }
}
