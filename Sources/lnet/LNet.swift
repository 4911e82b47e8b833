import ArgumentParser
import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

@main
struct LNet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lnet",
        abstract: "Train L-layer networks from HDF5 data, resume exactly, and look inside what you saved.",
        version: LNetVersion.string,
        subcommands: [
            Train.self, Resume.self, Evaluate.self, Predict.self, Inspect.self, Verify.self, Sample.self, GradCheck.self, Diff.self, Convert.self, Export.self, Import.self, Plot.self, ProbeHDF5.self,
        ]
    )

    static func main() {
        // A parent that ignores SIGCHLD passes that on, and the kernel would then reap
        // the isolated reader itself: its crash would be lost. lnet needs the status.
        signal(SIGCHLD, SIG_DFL)
        main(nil)
    }
}
