/// The names under which an export records LNet's own description of the model, `lnet.*`: `__metadata__` keys
/// of a safetensors file, root attributes of a Keras weights file. One list for every format, so that an export
/// and `lnet import` of any of them read the same names (formats/interchange.md, formats/keras.md).
public enum InterchangeRecordKey {
    public static let formatVersion = "lnet.format_version"
    public static let version = "lnet.version"
    public static let createdBy = "lnet.created_by"
    public static let layerDims = "lnet.layer_dims"
    public static let activations = "lnet.activations"
    public static let loss = "lnet.loss"
    public static let initialization = "lnet.init"
    public static let classes = "lnet.classes"
    public static let inputDivisor = "lnet.input_divisor"
    public static let dataSHA256 = "lnet.data_sha256"
}
