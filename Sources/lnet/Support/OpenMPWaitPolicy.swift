import Foundation
import LNetStorage
import LNetTraining

/// BLIS runs its threads through OpenMP (libgomp), whose idle threads spin for a
/// while before they sleep. On a machine whose cores are busy with other processes a
/// spinning worker takes the core the thread it waits for needs: 300 cat epochs
/// beside two spinning processes took 13 s with two threads against 6 s with one
/// (`benchmarks/threads/README.md`). libgomp reads `OMP_WAIT_POLICY` once, in a
/// constructor that runs before `main`, so a run that will use more than one thread
/// sets it to `passive` and executes lnet again, once; a value the user set is left
/// alone (and ends the re-execution: the new process sees it set).
///
/// Only such runs pay for the second start (tens of milliseconds): products below
/// `BLAS.singleThreadThreshold` run on one thread and never wake OpenMP, and for a
/// small model like the course's moons the second start would cost more than the
/// whole training.
enum OpenMPWaitPolicy {
    static let variable = "OMP_WAIT_POLICY"

    /// Re-executes lnet with `OMP_WAIT_POLICY=passive` when a network of
    /// `layerSizes` trained on batches of `batchColumns` examples has a product
    /// that BLIS will split among threads, unless the variable is set already.
    /// Returns (and lnet goes on with libgomp's default) when it need not or cannot.
    static func reexecutePassiveIfNeeded(layerSizes: [Int], batchColumns: Int) {
        guard BLAS.threads > 1, getenv(variable) == nil else { return }
        let largest = zip(layerSizes.dropFirst(), layerSizes).map { units, inputs -> Int in
            let (perExample, overflow1) = units.multipliedReportingOverflow(by: inputs)
            let (product, overflow2) = perExample.multipliedReportingOverflow(by: max(batchColumns, 1))
            return overflow1 || overflow2 ? Int.max : product
        }.max() ?? 0
        guard largest >= BLAS.singleThreadThreshold else { return }
        guard setenv(variable, "passive", 1) == 0 else { return }
        // The binary itself, whatever argv[0] says (a relative path, a name found on PATH).
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: it failed. The environment change is harmless; go on.
    }

    /// The check for `lnet train`: the network's sizes from `--layers` and the
    /// data's header (its features and examples), read without reading x. A file
    /// that cannot be read is left to the run, which says what is wrong.
    static func beforeTraining(dataPath: String, x: String?, y: String?, layers: [Int], batchSize: Int) {
        guard BLAS.threads > 1, getenv(variable) == nil,
              let dataset = try? DatasetFile(path: dataPath, x: x, y: y, requireLabels: false)
        else { return }
        let (features, examples) = (dataset.featureCount, dataset.exampleCount)
        try? dataset.close()
        reexecutePassiveIfNeeded(layerSizes: [features] + layers, batchColumns: min(batchSize, examples))
    }

    /// The check for `lnet resume`: the sizes the checkpoint records, read from its
    /// attributes alone (the lenient summary `inspect` uses), so that the run's own
    /// full, checked read of the tensors is not done twice.
    static func beforeResuming(checkpointPath: String) {
        guard BLAS.threads > 1, getenv(variable) == nil, let file = try? HDF5File.open(at: checkpointPath) else { return }
        defer { try? file.close() }
        guard let summary = try? CheckpointSummary(reading: file, statistics: false) else { return }
        let batchSize = summary.training?.batchSize.flatMap { Int(exactly: $0) } ?? 1
        reexecutePassiveIfNeeded(layerSizes: summary.layerDims, batchColumns: batchSize)
    }
}
