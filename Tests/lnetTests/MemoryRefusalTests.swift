import Foundation
import LNetTestSupport
import Testing

/// A run that cannot fit in memory is refused before anything sized by it is allocated:
/// one `error:` line with the estimate, exit 1, no trap (issue 10, item 5).
@Suite("lnet refuses runs that do not fit in memory")
struct MemoryRefusalTests {
    /// 1500 two-feature examples: the final accuracy's forward pass over all of them
    /// needs units × 1500 × 32 bytes, 46 GiB for a million units.
    static func moons(_ folder: URL) throws -> String {
        let data = folder.appendingPathComponent("moons1500.h5").path
        let sample = try LNetBinary.run(["sample", "moons", "-o", data, "--samples", "1500", "--force"])
        #expect(sample.status == 0, "\(sample.stderr)")
        return data
    }

    @Test(arguments: ["3000000,10", "1000000,10"])
    func hugeLayersAreRefusedWithTheEstimate(layers: String) throws {
        let folder = try Repository.scratchFolder("memory-\(layers.prefix(7))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Self.moons(folder)
        let result = try LNetBinary.run(["train", "--data", data, "--layers", layers, "--epochs", "1"])
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: \(data): training layers 2,\(layers) on 1500 examples needs an estimated "))
        #expect(result.stderr.contains("GiB at its peak"))
        #expect(result.stdout.isEmpty)
    }

    @Test func anOrdinaryRunIsNotRefused() throws {
        let folder = try Repository.scratchFolder("memory-ordinary")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Self.moons(folder)
        let result = try LNetBinary.run(["train", "--data", data, "--layers", "20,5,1", "--epochs", "2", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// An explicit --memory-budget bounds the whole run, for train and for resume.
    @Test func trainAndResumeRespectAnExplicitBudget() throws {
        let folder = try Repository.scratchFolder("memory-budget")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Self.moons(folder)
        let checkpoint = folder.appendingPathComponent("c.h5").path
        // 2000 units × 1500 examples × 4 buffers × 8 bytes: about 92 MiB for the final accuracy.
        let refused = try LNetBinary.run([
            "train", "--data", data, "--layers", "2000,1", "--epochs", "1", "--memory-budget", "64M",
            "--checkpoint", checkpoint,
        ])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("needs an estimated ") && refused.stderr.contains("the memory budget of 64 MiB"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: checkpoint))
        let trained = try LNetBinary.run([
            "train", "--data", data, "--layers", "2000,1", "--epochs", "1", "--checkpoint", checkpoint, "--quiet",
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        let resumed = try LNetBinary.run(["resume", checkpoint, "--epochs", "1", "--memory-budget", "64M"])
        #expect(resumed.status == 1)
        #expect(resumed.stderr.hasPrefix("error: ") && resumed.stderr.contains("the memory budget of 64 MiB"),
                "\(resumed.stderr)")
        #expect(resumed.stderr.split(separator: "\n").count == 1)
    }

    /// gradcheck's parameter cap lets through a layer of 20 000 units; 100 000 examples
    /// of it need 60 GiB.
    @Test func gradcheckRefusesAWorkspaceBeyondMemory() throws {
        let result = try LNetBinary.run(["gradcheck", "--layers", "2,20000,1", "--examples", "100000"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: a gradient check of layers 2,20000,1 on 100000 examples needs an estimated "),
                "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
