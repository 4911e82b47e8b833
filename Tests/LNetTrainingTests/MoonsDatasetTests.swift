import Testing
@testable import LNetTraining

@Test func moonsMatchScikitLearnAfterSeed3() throws {
    let fixture = try Fixture.load("moons_300_noise02_seed3.json")
    let (x, y) = try MoonsDataset.make(samples: 300, noise: 0.2, seed: 3)
    #expect(x.rows == 300 && x.columns == 2)
    #expect(y == (try Fixture.ints(fixture["y"])).map(Int64.init))
    let expected = try Fixture.doubles(fixture["x"])
    let largest = zip(x.elements, expected).map { abs($0 - $1) }.max() ?? .infinity
    #expect(largest == 0, "largest difference \(largest)")
}

@Test func moonsRejectBadArguments() {
    #expect(throws: ConfigurationError.self) { try MoonsDataset.make(samples: 0) }
    #expect(throws: ConfigurationError.self) { try MoonsDataset.make(noise: -1) }
}
