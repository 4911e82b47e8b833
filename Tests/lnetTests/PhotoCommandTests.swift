import Foundation
import LNetTestSupport
import Testing

/// `lnet predict --image` and `lnet plot --samples`, through the built binary,
/// checked against Pillow, numpy and h5py as the course's user runs them.
@Suite("lnet predict --image and plot --samples, end to end", .serialized)
struct PhotoCommandTests {
    static let photos = Repository.root.appendingPathComponent("samples/photos").path
    static let cat = Repository.root.appendingPathComponent("samples/cat.jpg").path
    static let face = Repository.root.appendingPathComponent("samples/photos/cat/chelsea-face.png").path

    /// The course's path: the folder converted at 64 × 64, the cat model
    /// (12288, 20, 7, 5, 1; deep init, seed 1, gradient descent at 0.0075, full
    /// batch) trained on it for a few epochs. Returns the folder, dataset and checkpoint.
    static func trained(_ label: String) throws -> (folder: URL, data: String, model: String) {
        let folder = try Repository.scratchFolder(label)
        let data = folder.appendingPathComponent("pets.h5").path
        let model = folder.appendingPathComponent("cat-model.h5").path
        let converted = try LNetBinary.run(["convert", photos, data, "--size", "64"])
        #expect(converted.status == 0, "\(converted.stderr)")
        let trained = try LNetBinary.run([
            "train", "--data", data, "--layers", "20,7,5,1", "--init", "deep", "--seed", "1", "--optimizer", "gd",
            "--learning-rate", "0.0075", "--epochs", "20", "--checkpoint", model, "--quiet",
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        return (folder, data, model)
    }

    /// The course's "test with your own image" cell, with the parameters read from the checkpoint
    /// by h5py: prints one probability per photo, repr'd.
    static let coursePredict = """
        import sys, h5py, numpy as np
        from PIL import Image
        checkpoint, photos = sys.argv[1], sys.argv[2:]
        with h5py.File(checkpoint, "r") as f:
            parameters = {name: f["parameters"][name][()] for name in f["parameters"]}
            num_px = int(f["model"].attrs["input_image_shape"][0])
            classes = [c.decode() if isinstance(c, bytes) else c for c in f["model"].attrs["classes"]]

        def L_model_forward(X, parameters):
            A = X
            L = len(parameters) // 2
            for l in range(1, L):
                A = np.maximum(0, np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)])
            ZL = np.dot(parameters["W" + str(L)], A) + parameters["b" + str(L)]
            return 1 / (1 + np.exp(-ZL))

        for path in photos:
            image = np.array(Image.open(path).resize((num_px, num_px)))
            my_image = image.reshape((1, num_px * num_px * 3)).T
            my_image = my_image / 255.
            AL = L_model_forward(my_image, parameters)
            p = float(AL[0, 0])
            # The predicted class's probability as lnet prints it: p for class 1, 1 - p for class 0.
            print(repr(p), repr(p if p > 0.5 else 1 - p), classes[int(p > 0.5)])
        """

    @Test func predictOnAPhotoPrintsTheCoursesProbability() throws {
        let (folder, _, model) = try Self.trained("photo-predict")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = [Self.cat, Self.face]
        let expected = try Python.run(script: Self.coursePredict, [model] + photos)
            .split(separator: "\n").map { line -> (p: Double, predicted: Double, name: String) in
                let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
                return (Double(parts[0]) ?? .nan, Double(parts[1]) ?? .nan, parts[2])
            }
        #expect(expected.count == 2)

        let text = try LNetBinary.run(["predict", model, "--image"] + photos)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        for (line, (photo, course)) in zip(lines, zip(photos, expected)) {
            // "PHOTO: NAME (class K), probability P", P the predicted class's.
            #expect(line.hasPrefix("\(photo): \(course.name) (class "), "\(line)")
            let printed = Double(line.split(separator: " ").last.map(String.init) ?? "") ?? .nan
            #expect(abs(printed - course.predicted) <= 1e-12 * abs(course.predicted),
                    "\(photo): lnet \(printed), the course's numpy \(course.predicted)")
        }

        let json = try LNetBinary.run(["predict", model, "--image"] + photos + ["--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let predictions = decoded?["predictions"] as? [[String: Any]] ?? []
        #expect(predictions.count == 2)
        for (prediction, (photo, course)) in zip(predictions, zip(photos, expected)) {
            #expect(prediction["image"] as? String == photo)
            #expect(prediction["name"] as? String == course.name)
            let probabilities = prediction["probabilities"] as? [Double] ?? []
            #expect(probabilities.count == 2)
            // P(class 1) is the course's AL itself.
            #expect(abs((probabilities.last ?? .nan) - course.p) <= 1e-12 * abs(course.p), "\(photo)")
        }
    }

    @Test func aBadPhotoIsOneErrorLineNamingIt() throws {
        let (folder, _, model) = try Self.trained("photo-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let notAnImage = folder.appendingPathComponent("notes.jpg").path
        try Data("not a picture\n".utf8).write(to: URL(fileURLWithPath: notAnImage))
        let truncated = folder.appendingPathComponent("truncated.jpg").path
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.cat))
        try whole.prefix(whole.count / 3).write(to: URL(fileURLWithPath: truncated))
        for bad in [notAnImage, truncated, folder.appendingPathComponent("missing.png").path] {
            let result = try LNetBinary.run(["predict", model, "--image", Self.cat, bad])
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty, "nothing is printed before the refusal")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: \(bad): "), "\(result.stderr)")
        }
    }

    @Test func aModelNotTrainedOnImagesIsRefused() throws {
        let folder = try Repository.scratchFolder("photo-moons")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("moons-model.h5").path
        let moons = Repository.root.appendingPathComponent("samples/moons.h5").path
        let trained = try LNetBinary.run(["train", "--data", moons, "--layers", "3,1", "--epochs", "2", "--checkpoint", model, "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let result = try LNetBinary.run(["predict", model, "--image", Self.cat])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(model): the model was not trained on images"), "\(result.stderr)")
    }

    @Test(arguments: [
        ["predict", "m.h5"],
        ["predict", "m.h5", "--image", "a.jpg", "--data", "d.h5"],
        ["predict", "m.h5", "--image", "a.jpg", "-o", "p.csv"],
        ["predict", "m.h5", "--data", "d.h5", "--json", "-o", "p.csv"],
        ["predict", "m.h5", "--data", "d.h5"],
        ["plot", "d.h5", "--samples", "--boundary", "-o", "g.svg"],
        ["plot", "d.h5", "--samples", "--count", "0", "-o", "g.svg"],
    ])
    func usageErrors(arguments: [String]) throws {
        #expect(try LNetBinary.run(arguments).status == 64)
    }

    @Test func samplesGridEmbedsEachPictureAsPNGWithItsLabel() throws {
        let folder = try Repository.scratchFolder("photo-samples")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("pets.h5").path
        #expect(try LNetBinary.run(["convert", Self.photos, data, "--size", "64"]).status == 0)
        let svg = folder.appendingPathComponent("grid.svg").path
        let result = try LNetBinary.run(["plot", data, "--samples", "--count", "4", "-o", svg])
        #expect(result.status == 0, "\(result.stderr)")
        // Pillow decodes every embedded PNG to exactly the stored example, and the caption is its class name.
        let checked = try Python.run(script: """
            import base64, io, re, sys, h5py, numpy as np
            from PIL import Image
            import xml.etree.ElementTree as ET
            svg = ET.parse(sys.argv[1]).getroot()
            ns = {"s": "http://www.w3.org/2000/svg"}
            images = svg.findall(".//s:image", ns)
            captions = [t.text for t in svg.findall(".//s:text", ns)][1:]
            with h5py.File(sys.argv[2], "r") as f:
                x, y = f["x"][()], f["y"][()]
                classes = [c.decode() if isinstance(c, bytes) else c for c in f["classes"][()]]
            assert len(images) == 4 and len(captions) == 4, (len(images), captions)
            for image, caption in zip(images, captions):
                index = int(re.match(r"#(\\d+) ", caption).group(1))
                uri = image.get("href")
                assert uri.startswith("data:image/png;base64,")
                picture = np.array(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
                assert picture.shape == (64, 64, 3) and (picture == x[index]).all(), index
                assert caption == f"#{index} {classes[y[index]]}", caption
            print(" ".join(captions))
            """, [svg, data])
        #expect(checked.contains("cat") && checked.contains("not-cat"), "\(checked)")

        let moons = Repository.root.appendingPathComponent("samples/moons.h5").path
        let refused = try LNetBinary.run(["plot", moons, "--samples", "-o", folder.appendingPathComponent("m.svg").path])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("error: \(moons): x "), "\(refused.stderr)")
    }
}
