import Foundation
import LNetTestSupport
@testable import LNetStorage

/// The corpus of Tests/interop/pillow_images.py, made once per test run: photo-like
/// JPEG and PNG files and Pillow's own decoded, resized and transposed pixels.
struct PillowCorpus: Sendable {
    struct Entry: Decodable, Sendable {
        var file: String
        var width: Int
        var height: Int
        var upright_width: Int
        var upright_height: Int
    }
    struct Manifest: Decodable, Sendable {
        var sizes: [[Int]]
        var images: [Entry]
    }

    let folder: URL
    let manifest: Manifest

    static let shared: Result<PillowCorpus, any Error> = Result {
        let folder = try Repository.scratchFolder("pillow-corpus")
        try Python.run([Repository.interop.appendingPathComponent("pillow_images.py").path, folder.path])
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        return PillowCorpus(folder: folder, manifest: try JSONDecoder().decode(Manifest.self, from: data))
    }

    func path(_ file: String) -> String { folder.appendingPathComponent(file).path }

    func pillowBytes(_ file: String, _ suffix: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(file + suffix)))
    }
}

/// The largest absolute difference between two byte arrays of equal length, and how many bytes differ.
func byteDifference(_ a: [UInt8], _ b: [UInt8]) -> (max: Int, count: Int) {
    var largest = 0, count = 0
    for (x, y) in zip(a, b) where x != y {
        largest = max(largest, abs(Int(x) - Int(y)))
        count += 1
    }
    return (largest, count)
}
