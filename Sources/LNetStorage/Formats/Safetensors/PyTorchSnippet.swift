/// The few lines of Python that rebuild, from an exported file, the `torch.nn.Sequential` and (with optimizer state)
/// the optimizer that continues as LNet would: what `lnet export --print-pytorch` prints and README's "Moving to
/// PyTorch or Keras" shows. The names it uses are ``SafetensorsInterchange``'s.
public enum PyTorchSnippet {
    /// The snippet for `model` exported to `path` in `dtype`.
    public static func code(for model: InterchangeModel, path: String, dtype: InterchangeDType) -> String {
        let torchType = dtype == .float64 ? "torch.float64" : "torch.float32"
        var modules: [String] = []
        for (index, activation) in model.activations.enumerated() {
            let (inputs, outputs) = (model.layerSizes[index], model.layerSizes[index + 1])
            modules.append("nn.Linear(\(inputs), \(outputs))")
            switch activation {
            case "relu": modules.append("nn.ReLU()")
            case "leaky_relu": modules.append("nn.LeakyReLU(0.01)")
            case "tanh": modules.append("nn.Tanh()")
            case "sigmoid": modules.append("nn.Sigmoid()")
            case "softmax": modules.append("nn.Softmax(dim=1)")
            default: modules.append("nn.Identity()")
            }
        }
        var lines = [
            "import torch",
            "from torch import nn",
            "from safetensors.torch import load_file",
            "",
            "tensors = load_file(\(pythonString(path)))",
            "model = nn.Sequential(",
        ]
        lines += modules.map { "    \($0)," }
        lines += [
            ").to(\(torchType))",
            "# The Sequential's own tensors are named <index>.weight / <index>.bias; the rest is LNet's and the optimizer's.",
            "model.load_state_dict({k: v for k, v in tensors.items() if k[0].isdigit()})",
            "",
            "def prepare(x):  # x: (m, \(model.layerSizes.first ?? 0)) examples first, as in the dataset file",
        ]
        var body = "    x = torch.as_tensor(x, dtype=\(torchType))"
        if model.inputDivisor != 1 { body += " / \(SafetensorsInterchange.number(model.inputDivisor))" }
        lines.append(body)
        if model.inputMean != nil {
            lines.append("    x = (x - tensors[\"\(SafetensorsInterchange.inputMeanName)\"]) / tensors[\"\(SafetensorsInterchange.inputStdName)\"]")
        }
        lines.append("    return x")
        lines.append("")
        lines.append("probabilities = model(prepare(x))  # (m, \(model.layerSizes.last ?? 0)), as lnet predict")
        if let optimizer = model.optimizer {
            let settings = optimizer.settings
            let parameters = "names = [n for n, _ in model.named_parameters()]"
            lines.append("")
            switch settings.name {
            case "adam":
                lines += [
                    "# Adam as the course's: bias correction, epsilon outside the square root.",
                    "optimizer = torch.optim.Adam(model.parameters(), lr=\(SafetensorsInterchange.number(settings.learningRate)), "
                        + "betas=(\(SafetensorsInterchange.number(settings.beta1 ?? 0.9)), \(SafetensorsInterchange.number(settings.beta2 ?? 0.999))), "
                        + "eps=\(SafetensorsInterchange.number(settings.epsilon ?? 1e-8)))",
                    parameters,
                    "optimizer.load_state_dict({\"state\": {i: {k: tensors[f\"optimizer.{n}.{k}\"] for k in (\"step\", \"exp_avg\", \"exp_avg_sq\")}",
                    "                                      for i, n in enumerate(names)},",
                    "                           \"param_groups\": optimizer.state_dict()[\"param_groups\"]})",
                ]
            case "momentum":
                lines += [
                    "# The course's momentum is SGD with dampening = momentum, once the buffer exists (it does: it is loaded).",
                    "optimizer = torch.optim.SGD(model.parameters(), lr=\(SafetensorsInterchange.number(settings.learningRate)), "
                        + "momentum=\(SafetensorsInterchange.number(settings.beta ?? 0.9)), dampening=\(SafetensorsInterchange.number(settings.beta ?? 0.9)))",
                    parameters,
                    "optimizer.load_state_dict({\"state\": {i: {\"momentum_buffer\": tensors[f\"optimizer.{n}.momentum_buffer\"]}",
                    "                                      for i, n in enumerate(names)},",
                    "                           \"param_groups\": optimizer.state_dict()[\"param_groups\"]})",
                ]
            default:
                lines.append("optimizer = torch.optim.SGD(model.parameters(), lr=\(SafetensorsInterchange.number(settings.learningRate)))")
            }
            if settings.decay != "none" {
                lines.append("# LNet decays the learning rate per epoch (\(settings.decay), rate \(SafetensorsInterchange.number(settings.decayRate))): set optimizer.param_groups[0][\"lr\"] yourself.")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Python string literal for `text`.
    static func pythonString(_ text: String) -> String {
        var bytes: [UInt8] = []
        SafetensorsHeader.appendString(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
