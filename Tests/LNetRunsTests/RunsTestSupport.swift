import LNetTraining

/// The course's moons model (Optimization methods, week 2): [2,5,2,1], relu, relu,
/// sigmoid, He init with seed 3, batches of 64, lr 0.0007, shuffle seed 10.
/// (LNetTrainingTests has the same model for the math alone.)
func moonsConfiguration(_ optimizer: Optimizer, epochs: Int) -> TrainingConfiguration {
    TrainingConfiguration(layerSizes: [2, 5, 2, 1], hiddenActivations: [.relu, .relu], output: .sigmoid,
                          initialization: .he, seed: 3, optimizer: optimizer, learningRate: 0.0007,
                          batchSize: 64, shuffleSeed: 10, epochs: epochs)
}

/// Rounds to the 6 decimals the course prints.
func printed(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
