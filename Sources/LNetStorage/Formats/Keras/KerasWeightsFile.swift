import Foundation

/// Keras 3's weights file (``KerasLayout``) for a Sequential of an optional `Rescaling` and `Normalization` (the
/// input preprocessing) and one `Dense` layer per LNet layer, written through the HDF5 API, and read back.
enum KerasWeightsFile {
    // MARK: Writing

    /// Writes `model`'s weights into a new HDF5 file at `path` (a temporary the caller replaces the target with):
    /// with `preprocessingLayers` (a `.keras` archive's), the Rescaling and Normalization in front too, else (a
    /// `.weights.h5` for a Sequential of Dense layers) the Dense layers alone.
    static func write(_ model: InterchangeModel, dtype: InterchangeDType, preprocessingLayers: Bool, at path: String) throws {
        let file = try HDF5File.create(at: path, mode: .truncate)
        do {
            try write(model, dtype: dtype, preprocessingLayers: preprocessingLayers, into: file)
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
    }

    private static func write(_ model: InterchangeModel, dtype: InterchangeDType, preprocessingLayers: Bool, into file: HDF5File) throws {
        let root = try file.root
        let layers = try root.createGroup(KerasLayout.layersGroup)
        if preprocessingLayers, model.inputDivisor != 1 || model.inputMean != nil {
            // Rescaling holds no variables (its scale and offset are in the config), but Keras writes its group.
            try layers.createGroup("rescaling/vars").attributes.write("name", .string("rescaling"))
        }
        for (index, layer) in model.layers.enumerated() {
            let name = KerasLayout.layerName("dense", index: index)
            let vars = try layers.createGroup("\(name)/vars")
            try vars.attributes.write("name", .string(name))
            let rows = layer.weight.shape[0], columns = layer.weight.shape[1]
            // The kernel is Wᵀ: (n_{l−1}, n_l), kernel[i][j] = W[j][i].
            var kernel = [Double](repeating: 0, count: rows * columns)
            for row in 0..<rows {
                for column in 0..<columns { kernel[column * rows + row] = layer.weight.values[row * columns + column] }
            }
            try store(vars, "0", shape: [columns, rows], values: kernel, dtype: dtype)
            try store(vars, "1", shape: [rows], values: layer.bias.values, dtype: dtype)
        }
        try root.createGroup("vars").attributes.write("name", .string(KerasLayout.modelName))

        // LNet's own record, which Keras ignores.
        let attributes = root.attributes
        try attributes.write(KerasLayout.Key.formatVersion, .int64(KerasLayout.formatVersion))
        try attributes.write(KerasLayout.Key.version, .string(LNetVersion.string))
        try attributes.write(KerasLayout.Key.createdBy, .string(model.createdBy))
        try attributes.write(KerasLayout.Key.layerDims, .int64Array(model.layerSizes.map(Int64.init)))
        try attributes.write(KerasLayout.Key.activations, .stringArray(model.activations))
        try attributes.write(KerasLayout.Key.loss, .string(model.loss))
        try attributes.write(KerasLayout.Key.initialization, .string(model.initialization))
        if let classes = model.classes, !classes.isEmpty { try attributes.write(KerasLayout.Key.classes, .stringArray(classes)) }
        try attributes.write(KerasLayout.Key.inputDivisor, .float64(model.inputDivisor))
        if let fingerprint = model.dataSHA256 { try attributes.write(KerasLayout.Key.dataSHA256, .string(fingerprint)) }
        if let mean = model.inputMean, let std = model.inputStd {
            // float64 whatever the export's type: the checkpoint's values, bit for bit, for the import.
            try root.createDataset(KerasLayout.inputMeanPath, shape: [mean.count], data: mean)
            try root.createDataset(KerasLayout.inputStdPath, shape: [std.count], data: std)
        }
    }

    private static func store(_ group: HDF5Group, _ name: String, shape: [Int], values: [Double], dtype: InterchangeDType) throws {
        switch dtype {
        case .float64: try group.createDataset(name, shape: shape, data: values)
        case .float32: try group.createDataset(name, shape: shape, data: values.map { Float($0) })
        }
    }

    // MARK: Reading

    /// What a weights file holds, before an architecture is put on it.
    struct Contents {
        /// Per Dense layer (`dense`, `dense_1`, …), its kernel `(n_in, n_out)` and bias `(n_out,)`, in the course's
        /// shapes already: W `(n_out, n_in)`, b `(n_out, 1)`.
        var dense: [InterchangeModel.Layer] = []
        /// The variables of the other layer groups, by group name (empty for Rescaling, Dropout, …).
        var otherLayers: [(name: String, variables: [[Double]])] = []
        /// Whether the file holds a compiled model's optimizer variables.
        var hasOptimizer = false
        /// LNet's root attributes, when LNet wrote the file.
        var activations: [String]?
        var layerDims: [Int]?
        var loss: String?
        var initialization: String?
        var classes: [String]?
        var inputDivisor: Double?
        var inputMean: [Double]?
        var inputStd: [Double]?
        var createdBy: String?
        var dataSHA256: String?
    }

    /// Reads the weights file at `path` (`shownPath` in messages: the archive for a `.keras` member), converting
    /// every variable to float64 only once the memory it takes is known to be within `memoryLimit`.
    static func read(at path: String, shownPath: String, memoryLimit: Int) throws -> Contents {
        func refuse(_ problem: String) -> KerasError { KerasError(path: shownPath, problem: problem) }
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        let root = try file.root
        guard try root.members().contains(HDF5Member(name: KerasLayout.layersGroup, kind: .group)) else {
            throw refuse("no group /layers: not a Keras 3 weights file (a Keras 2 .h5 keeps its weights under model_weights)")
        }
        let layers = try root.openGroup(KerasLayout.layersGroup)

        // Every variable's size first, then the memory, then the values.
        var planned: [(layer: String, datasets: [HDF5Dataset])] = []
        var bytes = 0
        for member in try layers.members() {
            guard member.kind == .group else { throw refuse("/layers/\(member.name) is a \(member.kind), not a layer's group") }
            let layer = try layers.openGroup(member.name)
            guard try layer.exists("vars") else { planned.append((member.name, [])); continue }
            let vars = try layer.openGroup("vars")
            let names = try vars.members()
            var datasets: [HDF5Dataset] = []
            for index in 0..<names.count {
                guard names.contains(HDF5Member(name: String(index), kind: .dataset)) else {
                    throw refuse("/layers/\(member.name)/vars holds \(names.map(\.name)) instead of the datasets 0…\(names.count - 1)")
                }
                let dataset = try vars.openDataset(String(index))
                // Floats; integers too outside Dense layers (Normalization's count is an int32).
                let type = try dataset.elementType
                let numeric: [HDF5ElementType] = [.float16, .float32, .float64, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64]
                guard KerasLayout.denseIndex(member.name) == nil ? numeric.contains(type) : [.float16, .float32, .float64].contains(type) else {
                    throw refuse("/layers/\(member.name)/vars/\(index) is \(type): a Dense weight is float16, float32 or float64")
                }
                let (size, overflow) = try dataset.count.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
                let (total, overflowTotal) = bytes.addingReportingOverflow(size)
                guard !overflow, !overflowTotal else { throw refuse("the weights are too large to convert") }
                bytes = total
                datasets.append(dataset)
            }
            planned.append((member.name, datasets))
        }
        guard bytes <= memoryLimit else {
            throw refuse("the weights take \(bytes) bytes as float64, more than the \(memoryLimit) bytes allowed")
        }

        var contents = Contents()
        contents.hasOptimizer = try root.exists(KerasLayout.optimizerGroup)
        var dense: [Int: InterchangeModel.Layer] = [:]
        for (name, datasets) in planned {
            guard let index = KerasLayout.denseIndex(name) else {
                contents.otherLayers.append((name, try datasets.map { try $0.read(as: Double.self) }))
                continue
            }
            guard datasets.count == 2 else {
                throw refuse("/layers/\(name) holds \(datasets.count) variables: a Dense layer has a kernel and a bias (use_bias=False is not LNet's)")
            }
            let kernel = datasets[0], bias = datasets[1]
            let kernelShape = try kernel.shape, biasShape = try bias.shape
            guard kernelShape.count == 2, kernelShape[0] >= 1, kernelShape[1] >= 1 else {
                throw refuse("/layers/\(name)/vars/0 has shape \(kernelShape): a Dense kernel is 2-D (inputs, units)")
            }
            let (inputs, units) = (kernelShape[0], kernelShape[1])
            guard biasShape == [units] else {
                throw refuse("/layers/\(name)/vars/1 has shape \(biasShape), expected [\(units)] for the kernel \(kernelShape)")
            }
            let values = try kernel.read(as: Double.self)
            var weight = [Double](repeating: 0, count: values.count)
            for row in 0..<inputs {
                for column in 0..<units { weight[column * inputs + row] = values[row * units + column] }
            }
            dense[index] = InterchangeModel.Layer(
                weight: Tensor(shape: [units, inputs], values: weight),
                bias: Tensor(shape: [units, 1], values: try bias.read(as: Double.self)))
        }
        for index in 0..<dense.count {
            guard let layer = dense[index] else {
                throw refuse("the Dense layers are \(dense.keys.sorted().map { KerasLayout.layerName("dense", index: $0) }), not dense, dense_1, … in a row")
            }
            if let previous = contents.dense.last, previous.weight.shape[0] != layer.weight.shape[1] {
                throw refuse("/layers/\(KerasLayout.layerName("dense", index: index)) takes \(layer.weight.shape[1]) inputs, but the layer before it has \(previous.weight.shape[0]) units")
            }
            contents.dense.append(layer)
        }
        guard !contents.dense.isEmpty else { throw refuse("no Dense layer (/layers/dense): LNet imports a Sequential of Dense layers") }
        try readLNetRecord(file, into: &contents, refuse: refuse)
        return contents
    }

    private static func readLNetRecord(_ file: HDF5File, into contents: inout Contents, refuse: (String) -> KerasError) throws {
        let root = try file.root
        let attributes = root.attributes
        func value(_ key: String) throws -> AttributeValue? { try attributes.contains(key) ? try attributes.read(key) : nil }
        func string(_ key: String) throws -> String? {
            guard let value = try value(key) else { return nil }
            guard case .string(let text) = value else { throw refuse("the attribute \(key) is not a string") }
            return text
        }
        func strings(_ key: String) throws -> [String]? {
            guard let value = try value(key) else { return nil }
            switch value {
            case .stringArray(let items): return items
            case .string(let item): return [item]
            default: throw refuse("the attribute \(key) is not a list of strings")
            }
        }
        contents.activations = try strings(KerasLayout.Key.activations)
        contents.classes = try strings(KerasLayout.Key.classes)
        contents.loss = try string(KerasLayout.Key.loss)
        contents.initialization = try string(KerasLayout.Key.initialization)
        contents.createdBy = try string(KerasLayout.Key.createdBy)
        contents.dataSHA256 = try string(KerasLayout.Key.dataSHA256)
        if let dims = try value(KerasLayout.Key.layerDims) {
            guard case .int64Array(let values) = dims else { throw refuse("the attribute \(KerasLayout.Key.layerDims) is not a list of integers") }
            contents.layerDims = values.map { Int(clamping: $0) }
        }
        if let divisor = try value(KerasLayout.Key.inputDivisor) {
            guard let number = divisor.doubleValue, number.isFinite, number > 0 else {
                throw refuse("the attribute \(KerasLayout.Key.inputDivisor) is not a positive number")
            }
            contents.inputDivisor = number
        }
        let inputs = contents.dense[0].weight.shape[1]
        for (path, keyPath) in [(KerasLayout.inputMeanPath, \Contents.inputMean), (KerasLayout.inputStdPath, \Contents.inputStd)]
        where try root.exists(path) {
            let dataset = try root.openDataset(path)
            let shape = try dataset.shape, type = try dataset.elementType
            guard shape == [inputs], [.float32, .float64].contains(type) else {
                throw refuse("/\(path) has shape \(shape) (\(type)), expected [\(inputs)] floats")
            }
            contents[keyPath: keyPath] = try dataset.read(as: Double.self)
        }
    }
}
