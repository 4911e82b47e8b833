import ArgumentParser
import Foundation
import LNetRuns
import LNetStorage
import LNetTraining

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue training from a checkpoint, exactly where it stopped.",
        discussion: """
            The data, architecture and hyper-parameters come from the checkpoint; the result is bit for bit \
            what an uninterrupted run would have given.

              lnet resume cat.h5                  # up to the epochs first asked for
              lnet resume cat.h5 --epochs 500     # 500 more
              lnet resume cat.h5 --data moved/train_catvnoncat.h5

            With --epochs N, an epoch that was cut short counts as the first of the N.

            A checkpoint that holds only /model and /parameters (written from a numpy `parameters` dict) \
            starts a fresh Adam optimizer and needs --data and --epochs.
            """)

    @Argument(help: "The checkpoint to continue; it is updated as training goes on.")
    var checkpoint: String

    @Option(parsing: .unconditional, help: "Epochs to run from here (default: up to the checkpoint's target).")
    var epochs: Int?

    @Option(help: "The training data, when it has moved since the checkpoint was written.")
    var data: String?

    @Flag(help: "Continue even if the data's fingerprint differs from the checkpoint's.")
    var allowDataChange = false

    @OptionGroup var cadence: CheckpointCadenceOptions
    @OptionGroup var progress: ProgressOptions

    @Flag(help: "Print JSON Lines on standard output instead: one object per printed epoch, test measurement, checkpoint and best model saved, then a summary (formats/json-output.md).")
    var json = false
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var streaming: StreamingOptions
    @OptionGroup var distribution: DistributionOptions

    func validate() throws {
        if let epochs { try require(epochs >= 1, "--epochs", "1 or more", got: epochs) }
        if let epochs, epochs > Int(UInt32.max) { throw ValidationError("--epochs must stay below 2^32") }
    }

    func run() throws {
        // libhdf5 can crash on a crafted file: try each one in a limited child first.
        // The best model beside it (--keep-best) is read too, to compare with the checkpoint's record.
        let best = CheckpointSettings.bestModelPath(besideCheckpoint: checkpoint)
        let existingBest = HDF5File.hasSignature(best) ? [best] : []
        try Isolation.probe([checkpoint] + (data.map { [$0] } ?? []) + existingBest)
        // Then: a Ctrl-C while the data loads stops cleanly instead of killing the process.
        StopSignals.install(repeatEnds: !distribution.distributed)
        var joinedRun: Distribution?
        // Thrown outside reportingErrors, which would report it as an error and exit 1.
        var stoppedBy: Int32?
        try reportingErrors {
            threading.apply()
            OpenMPWaitPolicy.beforeResuming(checkpointPath: checkpoint)
            // MPI_Init after the probe's fork and the OpenMP re-execution, before anything ranks agree on.
            let joined = try distribution.begin()
            joinedRun = joined
            let output = TrainingOutput(quiet: progress.quiet, json: json)
            output.checkpointPath = checkpoint
            let note: (String) -> Void = joined.isRoot ? output.note : { _ in }
            var settings = ResumeSettings(
                checkpointPath: checkpoint, epochs: epochs, dataPath: data, allowDataChange: allowDataChange,
                everyEpochs: cadence.everyEpochs, interval: cadence.interval, keep: cadence.keep)
            settings.memory = streaming.policy
            settings.keepBest = cadence.keepBest
            let run = try TrainingRun.resume(settings, printEvery: progress.printEvery, sharding: joined.sharding,
                                             notes: note)
            let state = run.state
            if state.completedEpochs >= run.configuration.epochs {
                note("\(checkpoint) has finished its \(run.configuration.epochs) epochs; add more with --epochs N")
                return
            }
            stoppedBy = try drive(run, output, joined, ifStoppedBeforeStart: "the checkpoint is left as it was")
        }
        // Every rank leaves MPI after the same last collective call; a failed rank exits without it, and
        // mpirun then ends the job.
        try reportingErrors { try joinedRun?.finish() }
        if let signal = stoppedBy { throw ExitCode(128 + signal) }
    }
}
