import LNetStorage
import LNetTraining

/// What a saved network says about one photo (`lnet predict --image`).
public struct PhotoPrediction: Sendable, Equatable {
    /// The photo, as the caller named it.
    public let path: String
    /// The predicted class id.
    public let predicted: Int
    /// Its name from the checkpoint's `classes`, when it has one.
    public let className: String?
    /// The probability of each class: `[1 − p, p]` for a sigmoid output, the softmax's C values otherwise.
    public let probabilities: [Double]

    /// The probability of the predicted class.
    public var probability: Double { probabilities.indices.contains(predicted) ? probabilities[predicted] : .nan }
}

/// Photos prepared as a model's training images were: decoded to RGB (libjpeg-turbo,
/// libpng), turned upright when training's were, resized exactly as Pillow's
/// `Image.resize((width, height))` does, and flattened in C order, as the course's
/// `image.reshape((1, num_px * num_px * 3)).T` does.
public struct PhotoPreparation {
    /// The layout every photo is brought to.
    public let layout: InputImage
    private let decoder: ImageDecoder

    /// A preparation for `layout`; `decoding` sets the limits (Pillow's pixel limit by default).
    public init(layout: InputImage, decoding: ImageDecodingOptions = ImageDecodingOptions()) throws {
        var options = decoding
        options.appliesEXIFOrientation = layout.exifTranspose
        guard let decoder = ImageDecoder(options: options) else {
            throw RunError(path: nil, "out of memory making an image decoder")
        }
        self.layout = layout
        self.decoder = decoder
    }

    /// The photo at `path` as `height × width × 3` samples, 0…255, before any division.
    public func pixels(of path: String) throws -> RGBImage {
        let image = try decoder.decode(file: path)
        guard layout.resize == InputImage.pillowBicubic else {
            throw RunError(path: path, "the model resizes images by \"\(layout.resize)\", which lnet does not know")
        }
        return PillowResize.resize(image, width: layout.width, height: layout.height)
    }
}

extension SavedModel {
    /// The layout photos are prepared with, from the checkpoint's `input_image_*`; an error
    /// when the model was not trained on RGB images.
    public func imageLayout() throws -> InputImage {
        guard let layout = checkpoint.model.inputImage else {
            throw RunError(
                path: path,
                "the model was not trained on images (its /model has no input_image_shape): it cannot predict on a photo; train it on a dataset of images, such as lnet convert makes from a folder of photos")
        }
        return layout
    }

    /// Predicts each photo of `paths`, prepared as the training images were (see
    /// ``PhotoPreparation``), then divided and standardised as training did. The first
    /// photo that cannot be read stops it with an error naming that file.
    public func predict(photos paths: [String]) throws -> [PhotoPrediction] {
        let layout = try imageLayout()
        let inputs = network.layerSizes.first ?? 0
        guard layout.featureCount == inputs else {
            throw RunError(path: path, "input_image_shape gives \(layout.featureCount) features but the network takes \(inputs)")
        }
        let preparation = try PhotoPreparation(layout: layout)
        let preprocessing = TrainingCheckpoint.preprocessing(from: checkpoint)
        let block = max(1, examplesPerBlock(exampleCount: paths.count))
        var results: [PhotoPrediction] = []
        results.reserveCapacity(paths.count)
        let units = network.layerSizes.last ?? 1
        let names = checkpoint.model.classes
        for start in stride(from: 0, to: paths.count, by: block) {
            let group = Array(paths[start..<min(start + block, paths.count)])
            var values: [Double] = []
            values.reserveCapacity(group.count * inputs)
            for photo in group {
                let image = try preparation.pixels(of: photo)
                // A division, as the course's `image / 255.`, so the bits match numpy.
                values += image.pixels.map { Double($0) / preprocessing.divisor }
            }
            preprocessing.standardize(examplesInRows: &values, featureCount: inputs)
            let features = try Matrix(rows: group.count, columns: inputs, elements: values).transposed
            let outputs = try network.blockOutputs(features, labels: nil)
            for (column, photo) in group.enumerated() {
                let probabilities = network.output == .sigmoid
                    ? [1 - outputs.probabilities[0, column], outputs.probabilities[0, column]]
                    : (0..<units).map { outputs.probabilities[$0, column] }
                let predicted = outputs.predicted[column]
                results.append(PhotoPrediction(
                    path: photo, predicted: predicted,
                    className: names.flatMap { predicted < $0.count ? $0[predicted] : nil }, probabilities: probabilities))
            }
        }
        return results
    }
}
