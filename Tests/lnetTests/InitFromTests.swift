import Foundation
import LNetTestSupport
import Testing

/// `lnet train --init-from C.h5`: the run starts from the checkpoint's parameters, with its architecture.
@Suite("train --init-from, end to end")
struct InitFromTests {
    @Test func aRunStartsFromTheCheckpointsParameters() throws {
        let work = try Repository.scratchFolder("init-from")
        func path(_ name: String) -> String { work.appendingPathComponent(name).path }
        #expect(try LNetBinary.run(["sample", "moons", "-o", path("moons.h5"), "--samples", "100"]).status == 0)
        #expect(try LNetBinary.run(["train", "--data", path("moons.h5"), "--layers", "5,3,1", "--epochs", "3",
                                    "--checkpoint", path("c.h5"), "--quiet"]).status == 0)
        // Made a parameters-only checkpoint through safetensors, as a model from PyTorch would come.
        #expect(try LNetBinary.run(["export", path("c.h5"), path("c.safetensors")]).status == 0)
        #expect(try LNetBinary.run(["import", path("c.safetensors"), path("p.h5")]).status == 0)
        // One epoch of gradient descent with a vanishing rate leaves the parameters where they started:
        // the imported ones, not a fresh He initialisation.
        let run = try LNetBinary.run(["train", "--data", path("moons.h5"), "--init-from", path("p.h5"), "--epochs", "1",
                                      "--optimizer", "gd", "--learning-rate", "1e-300", "--checkpoint", path("d.h5"), "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        for tensor in ["W1", "b1", "W2", "b2", "W3", "b3"] {
            let before = try LNetBinary.run(["inspect", path("c.h5"), "/parameters/\(tensor)"])
            let after = try LNetBinary.run(["inspect", path("d.h5"), "/parameters/\(tensor)"])
            #expect(before.status == 0 && after.status == 0)
            #expect(before.stdout == after.stdout, "\(tensor)")
        }
        // Another architecture is refused in one line; so is the checkpoint as the run's own output.
        let mismatch = try LNetBinary.run(["train", "--data", path("moons.h5"), "--init-from", path("p.h5"), "--layers", "7,1", "--epochs", "1", "--quiet"])
        #expect(mismatch.status == 1)
        #expect(mismatch.stderr == "error: \(path("p.h5")): its layers are 5,3,1, not 7,1\n")
        let sameFile = try LNetBinary.run(["train", "--data", path("moons.h5"), "--init-from", path("p.h5"), "--checkpoint", path("p.h5"),
                                           "--epochs", "1", "--quiet", "--force"])
        #expect(sameFile.status == 1)
        #expect(sameFile.stderr.contains("an output never replaces an input"))
    }
}
