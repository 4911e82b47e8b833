/// The names of Keras 3's weights file (`.weights.h5`, also `model.weights.h5` inside a `.keras` archive) and of LNet's
/// additions to it (formats/keras.md is the document; this is its one declaration in code).
///
/// Keras 3 (`keras.saving.saving_lib`, checked against 3.15.1) keeps a Sequential's weights in HDF5 as
/// `layers/<name>/vars/<i>`, where `<name>` is the layer's class in snake case (`dense`, `rescaling`), numbered from
/// the second layer of a class on (`dense_1`, `dense_2`, …) in the order of the model's layers, and `<i>` is the
/// variable's index: a Dense layer's `vars/0` is its kernel, `(n_{l−1}, n_l)` = W[l]ᵀ, and `vars/1` its bias, `(n_l,)`.
/// Every `vars` group carries a string attribute `name` (the layer's name), and the root holds an empty `vars` group
/// named after the model. A compiled model adds `optimizer/vars/<i>`.
public enum KerasLayout {
    /// The Keras version whose layout LNet writes and reads, as `metadata.json` says it.
    public static let kerasVersion = "3.15.1"
    /// The group of the model's layers.
    public static let layersGroup = "layers"
    /// The group of a compiled model's optimizer variables.
    public static let optimizerGroup = "optimizer"
    /// The name of the model, on the root `vars` group and in the config.
    public static let modelName = "sequential"

    /// The group name of the `index`-th (0-based) layer of class `snakeName` in the model: `dense`, `dense_1`, ….
    public static func layerName(_ snakeName: String, index: Int) -> String {
        index == 0 ? snakeName : "\(snakeName)_\(index)"
    }

    /// The Dense index a group name stands for (`dense` → 0, `dense_3` → 3), nil for any other name.
    public static func denseIndex(_ name: String) -> Int? {
        if name == "dense" { return 0 }
        guard name.hasPrefix("dense_"), let index = Int(name.dropFirst(6)), index >= 1, String(index) == name.dropFirst(6) else {
            return nil
        }
        return index
    }

    /// LNet's attributes on the weights file's root, which Keras leaves alone: with them, `lnet import` gets back the
    /// activations, loss, classes and preprocessing without being told.
    public typealias Key = InterchangeRecordKey

    /// LNet's group of float64 datasets beside Keras's: `lnet/input_mean` and `lnet/input_std` (standardisation).
    public static let lnetGroup = "lnet"
    public static let inputMeanPath = "lnet/input_mean"
    public static let inputStdPath = "lnet/input_std"
    /// The version of this mapping, `lnet.format_version`.
    public static let formatVersion: Int64 = 1

    /// The Dense activations LNet maps one to one (Keras's names are the checkpoint's).
    public static let hiddenActivations: Set<String> = ["relu", "tanh", "sigmoid", "linear"]
    public static let outputActivations: Set<String> = ["sigmoid", "softmax"]
}
