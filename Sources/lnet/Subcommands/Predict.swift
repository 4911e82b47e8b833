import ArgumentParser
import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict the class of every example of a dataset, or of photos, with a saved network.",
        discussion: """
            With --data: writes HDF5 (predicted, probabilities, classes) or, for a .csv name, one row per example: \
            the predicted class, its name when the checkpoint has class names, and the probability of each class. \
            The data needs no labels.

              lnet predict cat.h5 --data test_catvnoncat.h5 -o predictions.csv

            With --image: the course's "test with your own image". Each JPEG or PNG photo, of any size, is \
            prepared as the model's training images were (the checkpoint records it: decoded to RGB, resized \
            as Pillow's resize((64, 64)) does, flattened as image.reshape((1, 64*64*3)).T, divided by 255), \
            and one line per photo is printed: its name, the predicted class and that class's probability \
            (--json: one object). The model must have been trained on images (x of shape (m, height, width, 3), \
            uint8). A photo that cannot be read stops the command with one error line naming it.

              $ lnet predict cat.h5 --image samples/cat.jpg
              samples/cat.jpg: cat (class 1), probability 0.9630412343195218
            """)

    @Argument(help: "A checkpoint (a parameters-only one will do).")
    var checkpoint: String

    @Option(help: "The dataset; its y, if any, is ignored.")
    var data: String?

    @Option(parsing: .upToNextOption, help: "One or more JPEG or PNG photos to predict (instead of --data).")
    var image: [String] = []

    @OptionGroup var features: FeaturesNameOption

    @Option(name: .shortAndLong, help: "With --data: the output file, .h5 or .csv.")
    var output: String?

    @Flag(help: "Overwrite an existing output file.")
    var force = false

    @Flag(help: "With --image: print one JSON object instead of a line per photo.")
    var json = false

    @OptionGroup var threading: ThreadOptions

    func validate() throws {
        if data != nil, !image.isEmpty { throw ValidationError("give --data (a dataset) or --image (photos), not both") }
        guard data != nil || !image.isEmpty else {
            throw ValidationError("give --data FILE (a dataset, with -o) or --image PHOTO … (photos to predict)")
        }
        if !image.isEmpty {
            if output != nil { throw ValidationError("-o is for --data: predictions on photos are printed (--json for JSON)") }
            if features.x != nil { throw ValidationError("--x names a dataset inside --data; it does not apply to --image") }
            return
        }
        if json { throw ValidationError("--json applies to --image; with --data the predictions go to the -o file") }
        guard let output else { throw ValidationError("--data needs -o FILE, the .h5 or .csv file to write") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("\(output) is a folder: -o takes a file name ending in .h5 or .csv")
        }
        guard PredictionFile.Format.detect(path: output) != nil else {
            throw ValidationError("-o \(output): the name must end in .h5 (or .hdf5) for HDF5, or .csv for text")
        }
    }

    func run() throws {
        if !image.isEmpty { return try predictPhotos() }
        guard let data, let output else { return }
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

    private func predictPhotos() throws {
        try Isolation.probe([checkpoint])
        // A fault inside libjpeg-turbo or libpng on a crafted photo is one line naming the photo.
        ImageDecoder.installCrashGuard(removing: [])
        try reportingErrors {
            threading.apply()
            var notes: [String] = []
            let predictions = try SavedModel(path: checkpoint, notes: { notes.append($0) }).predict(photos: image)
            print(json ? Self.renderJSON(predictions) : predictions.map(Self.renderLine).joined(separator: "\n"))
            notes.forEach(printNote)
        }
    }

    /// `photo.jpg: cat (class 1), probability 0.96…`: the probability in full, so it can be compared.
    static func renderLine(_ prediction: PhotoPrediction) -> String {
        let name = prediction.className.map { "\($0) (class \(prediction.predicted))" } ?? "class \(prediction.predicted)"
        return "\(prediction.path): \(name), probability \(prediction.probability)"
    }

    /// `{"predictions": [{"image": …, "predicted": 1, "name": "cat", "probability": …, "probabilities": […]}]}`.
    static func renderJSON(_ predictions: [PhotoPrediction]) -> String {
        JSON.object([
            ("predictions", .array(predictions.map { prediction in
                var fields: [(String, JSON)] = [("image", .string(prediction.path)), ("predicted", .int(prediction.predicted))]
                if let name = prediction.className { fields.append(("name", .string(name))) }
                fields.append(("probability", .double(prediction.probability)))
                fields.append(("probabilities", .array(prediction.probabilities.map { .double($0) })))
                return .object(fields)
            })),
        ]).rendered()
    }
}
