import Foundation
import LNetTestSupport
import Testing

/// `lnet export --optimizer` then `lnet import` gives back the very checkpoint, for every optimizer (Adam's is also
/// checked against PyTorch in SafetensorsInteropTests).
@Suite("export and import, end to end")
struct ExportImportCommandTests {
    @Test(arguments: ["gd", "momentum", "adam"])
    func everyOptimizerComesBackBitForBit(_ optimizer: String) throws {
        let work = try Repository.scratchFolder("export-import")
        func path(_ name: String) -> String { work.appendingPathComponent(name).path }
        #expect(try LNetBinary.run(["sample", "moons", "-o", path("moons.h5"), "--samples", "60"]).status == 0)
        #expect(try LNetBinary.run(["train", "--data", path("moons.h5"), "--layers", "3,1", "--epochs", "2", "--optimizer", optimizer,
                                    "--checkpoint", path("c.h5"), "--quiet"]).status == 0)
        let export = try LNetBinary.run(["export", path("c.h5"), path("c.safetensors"), "--optimizer"])
        #expect(export.status == 0, "\(export.stderr)")
        let back = try LNetBinary.run(["import", path("c.safetensors"), path("back.h5")])
        #expect(back.stdout.contains("with \(optimizer) state"), "\(back.stdout)\(back.stderr)")
        let diff = try LNetBinary.run(["diff", path("c.h5"), path("back.h5")])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
    }
}
