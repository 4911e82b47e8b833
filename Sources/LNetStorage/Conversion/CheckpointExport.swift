/// A checkpoint's tensors as a NumPy `.npz` archive, for people who want the
/// trained weights in Python: `np.load("model.npz")["W1"]`.
///
/// Keys: the parameters `W1`, `b1`, … `WL`, `bL` (shapes as in the
/// checkpoint: W is (n_l, n_{l−1}), b is (n_l, 1)); then, when the checkpoint
/// holds optimizer state, momentum/Adam's first moments as `v_dW1`, `v_db1`, …
/// and Adam's second moments as `s_dW1`, `s_db1`, …. Every array is float64.
/// The other checkpoint fields (hyper-parameters, costs, generator state) are
/// not arrays of the model and stay in the checkpoint.
public enum CheckpointExport {
    /// Whether the HDF5 file at `path` is a checkpoint rather than a dataset:
    /// its root `format` attribute is `lnet-checkpoint`, or it has `/model`
    /// and `/parameters` groups (a parameters-only checkpoint, as
    /// formats/checkpoint.md defines it). Errors opening the file are thrown.
    public static func isCheckpoint(path: String) throws -> Bool {
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        // One rule for "is this a checkpoint", the one inspect uses.
        return try CheckpointSummary.isCheckpoint(file)
    }

    /// The archive's arrays in key order: parameters in layer order, then
    /// `v_…`, then `s_…`, each in layer order (names a checkpoint may add
    /// beyond those come last, sorted).
    public static func arrays(of checkpoint: Checkpoint) -> [(name: String, tensor: Tensor)] {
        let layerOrder = Checkpoint.parameterNames(layerCount: checkpoint.model.layerCount)
        func ordered(_ tensors: [String: Tensor], known: [String]) -> [(String, Tensor)] {
            let first = known.compactMap { name in tensors[name].map { (name, $0) } }
            let rest = tensors.keys.filter { !known.contains($0) }.sorted().compactMap { name in tensors[name].map { (name, $0) } }
            return first + rest
        }
        var result = ordered(checkpoint.parameters, known: layerOrder).map { (name: $0.0, tensor: $0.1) }
        if let optimizer = checkpoint.optimizer {
            let gradients = layerOrder.map { "d" + $0 }
            result += ordered(optimizer.v, known: gradients).map { (name: "v_" + $0.0, tensor: $0.1) }
            result += ordered(optimizer.s, known: gradients).map { (name: "s_" + $0.0, tensor: $0.1) }
        }
        return result
    }

    /// Reads the checkpoint at `checkpointPath` and writes its arrays to the
    /// `.npz` at `outputPath` (atomically). Returns the keys written.
    @discardableResult
    public static func writeNPZ(checkpointPath: String, to outputPath: String) throws -> [String] {
        let checkpoint = try CheckpointFile.read(from: checkpointPath)
        var writer = NPZWriter()
        let arrays = arrays(of: checkpoint)
        for (name, tensor) in arrays {
            try writer.add(name, shape: tensor.shape, values: tensor.values)
        }
        try writer.write(to: outputPath)
        return arrays.map(\.name)
    }
}
