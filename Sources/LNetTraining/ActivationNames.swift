/// The activations a command line names, one per layer, output last
/// (`relu,relu,sigmoid`): one reading for `train` and `gradcheck`,
/// so both accept and refuse the same lists with the same words.
public enum ActivationNames {
    /// The hidden activations and the output layer `names` give for a network of
    /// `layerCount` layers whose output layer has `outputUnits` units. Throws a
    /// ``ConfigurationError`` saying what is wrong with the list.
    public static func parse(_ names: [String], layerCount: Int, outputUnits: Int) throws
        -> (hidden: [Activation], output: OutputLayer)
    {
        guard names.count == layerCount else {
            throw ConfigurationError(.activationCount(names: names.count, layers: layerCount))
        }
        var hidden: [Activation] = []
        for name in names.dropLast() {
            guard let activation = Activation(formatName: name) else {
                throw ConfigurationError("unknown hidden activation \"\(name)\": use relu, leaky_relu, tanh, sigmoid or linear")
            }
            hidden.append(activation)
        }
        guard let last = names.last, let output = OutputLayer(rawValue: last) else {
            throw ConfigurationError("the output activation must be sigmoid or softmax, not \"\(names.last ?? "")\"")
        }
        if output == .sigmoid, outputUnits != 1 {
            throw ConfigurationError("a sigmoid output layer has 1 unit, this one has \(outputUnits); use softmax for \(outputUnits) classes")
        }
        if output == .softmax, outputUnits < 2 {
            throw ConfigurationError("a softmax output layer needs at least 2 units, this one has \(outputUnits)")
        }
        return (hidden, output)
    }
}
