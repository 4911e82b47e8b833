import Foundation
@testable import LNetRuns
import LNetTestSupport
@testable import LNetTraining
import Testing

@Suite("MemoryEstimate: the peak of a run, before it allocates")
struct MemoryEstimateTests {
    /// The estimate of a real run lies within a sane factor of the peak resident size
    /// the kernel measured for it (`ru_maxrss` of the `lnet train` child process).
    @Test func estimateIsCloseToTheMeasuredPeak() throws {
        let folder = try Repository.scratchFolder("memory-estimate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lnet = try Self.lnetBinary()
        let data = folder.appendingPathComponent("moons.h5").path
        let layers = [40_000, 10]
        let measured = try Python.run(script: """
            import resource, subprocess, sys
            lnet, data, layers = sys.argv[1:4]
            subprocess.run([lnet, "sample", "moons", "-o", data, "--samples", "600", "--force"], check=True)
            subprocess.run([lnet, "train", "--data", data, "--layers", layers, "--epochs", "1", "--batch-size", "64",
                            "--quiet"], check=True, stdout=subprocess.DEVNULL)
            print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
            """, [lnet.path, data, layers.map(String.init).joined(separator: ",")])
        let peak = try #require(Int(measured.trimmingCharacters(in: .whitespacesAndNewlines)))
        let estimate = MemoryEstimate.training(
            layerSizes: [2] + layers, exampleCount: 600, batchSize: 64, optimizer: .adam(), keepProbability: 1,
            streamed: false)
        // The run's own peak is about 800 MiB; the process's code and libraries add some tens of MiB.
        #expect(Double(estimate.bytes) > 0.75 * Double(peak), "estimate \(estimate.bytes), measured \(peak)")
        #expect(Double(estimate.bytes) < 1.5 * Double(peak), "estimate \(estimate.bytes), measured \(peak)")
    }

    /// A float32 full-batch run also holds X converted to float32: half of x more than float64's
    /// (with a first layer wide enough that training, not loading x, is the peak).
    @Test func float32CountsItsConvertedCopyOfX() {
        func estimate(_ precision: Precision, batchSize: Int, streamed: Bool = false) -> Int {
            MemoryEstimate.training(
                layerSizes: [12288, 1000, 1], exampleCount: 209, batchSize: batchSize, optimizer: .gradientDescent,
                keepProbability: 1, streamed: streamed, examplesFirstCopyLimit: 0, precision: precision).bytes
        }
        #expect(estimate(.float32, batchSize: 209) - estimate(.float64, batchSize: 209) == 12288 * 209 * 4)
        #expect(estimate(.float32, batchSize: 64, streamed: true) - estimate(.float64, batchSize: 64, streamed: true)
                == 12288 * 64 * 8)
    }

    @Test func overflowingShapesSaturateInsteadOfTrapping() {
        let estimate = MemoryEstimate.training(
            layerSizes: [Int.max / 2, Int.max / 2, 10], exampleCount: Int.max, batchSize: Int.max, optimizer: .adam(),
            keepProbability: 0.5, streamed: false)
        #expect(estimate.bytes == Int.max)
        #expect(throws: RunError.self) {
            try MemoryPolicy.inMemory.admit(estimate, path: "d.h5", what: "training")
        }
        #expect(MemoryEstimate.inference(layerSizes: [3, Int.max, 1], blockColumns: 1).bytes == Int.max)
    }

    @Test func anExplicitPeakLimitRefusesAndNamesTheBudget() throws {
        let estimate = MemoryEstimate.training(
            layerSizes: [2, 100, 1], exampleCount: 1000, batchSize: 64, optimizer: .gradientDescent, keepProbability: 1,
            streamed: false)
        let policy = MemoryPolicy(budget: 1 << 20, peakLimit: estimate.bytes - 1)
        #expect(throws: RunError.self) { try policy.admit(estimate, path: nil, what: "training") }
        try MemoryPolicy(budget: 1 << 20, peakLimit: estimate.bytes).admit(estimate, path: nil, what: "training")
    }

    /// The build products folder holds `lnet` beside the test bundle.
    static func lnetBinary() throws -> URL {
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for folder in [testExecutable.deletingLastPathComponent(), Bundle.main.bundleURL,
                       Bundle.main.bundleURL.deletingLastPathComponent()] {
            let binary = folder.appendingPathComponent("lnet")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        throw MissingBinary()
    }

    struct MissingBinary: Error, CustomStringConvertible {
        var description: String { "no lnet binary beside the test bundle: run swift build" }
    }
}
