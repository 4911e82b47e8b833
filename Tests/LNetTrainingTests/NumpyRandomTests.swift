import Foundation
import LNetTestSupport
import Testing
@testable import LNetTraining

@Suite struct NumpyRandomTests {
    let fixture: Fixture.Value
    init() throws { fixture = try Fixture.load("numpy_random.json") }

    private func expectState(_ state: NumpyRandom.State, matches summary: Fixture.Value) throws {
        #expect(Array(state.key.prefix(4)).map(Int.init) == (try Fixture.ints(summary["key_head"])))
        #expect(Int(state.key[623]) == summary["key_tail"]?.int)
        #expect(state.position == summary["pos"]?.int)
        #expect(state.hasGauss == summary["has_gauss"]?.bool)
        #expect(state.gauss == (try Fixture.double(summary["gauss"])))
    }

    @Test(arguments: ["0", "1", "3", "4294967295"])
    func randnCallsBackToBackMatchNumpyBitForBit(seed: String) throws {
        let entry = try #require(fixture[seed])
        var generator = NumpyRandom(seed: try #require(UInt32(seed)))
        try expectState(generator.state, matches: try #require(entry["after_seed"]))
        let calls = try Fixture.ints(entry["randn_calls"])
        let expected = try Fixture.list(entry["randn"])
        for (count, values) in zip(calls, expected) {
            #expect(generator.standardNormal(count: count) == (try Fixture.doubles(values)))
        }
        try expectState(generator.state, matches: try #require(entry["after_randn"]))
    }

    @Test func uniformDrawsKeepTheCachedNormal() throws {
        let entry = try #require(fixture["rand_seed0"])
        var generator = NumpyRandom(seed: 0)
        #expect(generator.uniform(count: 12) == (try Fixture.doubles(entry["rand_3x4"])))
        #expect(generator.uniform(count: 5) == (try Fixture.doubles(entry["rand_5"])))
        #expect(generator.standardNormal(count: 1) == (try Fixture.doubles(entry["randn_1"])))
        #expect(generator.uniform(count: 2) == (try Fixture.doubles(entry["rand_2"])))
        #expect(generator.standardNormal(count: 1) == (try Fixture.doubles(entry["randn_1_again"])))
    }

    @Test func permutationsUseNumpysBoundedDraw() throws {
        var generator = NumpyRandom(seed: 11)
        #expect(generator.permutation(300) == (try Fixture.ints(fixture["permutation_300_seed11"])))
        generator.seed(5)
        let expected = try Fixture.list(fixture["permutations_seed5"])
        for (count, values) in zip([0, 1, 2, 3, 10, 17], expected) {
            #expect(generator.permutation(count) == (try Fixture.ints(values)))
        }
    }

    @Test func normalWithScale() throws {
        var generator = NumpyRandom(seed: 3)
        #expect(generator.normal(scale: 0.2, count: 600) == (try Fixture.doubles(fixture["normal_scale02_300x2_seed3"])))
    }

    @Test func dropoutMaskAsTheCourseDrawsIt() throws {
        var generator = NumpyRandom(seed: 2)
        let mask = generator.uniform(count: 35).map { $0 < 0.8 ? 1 : 0 }
        #expect(mask == (try Fixture.ints(fixture["dropout_mask_seed2_5x7_keep08"])))
    }

    @Test func longRunsRegenerateTheKey() throws {
        let entry = try #require(fixture["randn5001_seed1"])
        var generator = NumpyRandom(seed: 1)
        let values = generator.standardNormal(count: 5001)
        #expect(Array(values.prefix(3)) == (try Fixture.doubles(entry["first"])))
        #expect(Array(values.suffix(3)) == (try Fixture.doubles(entry["last"])))
        #expect(abs(values.reduce(0, +) - (try Fixture.double(entry["sum"]))) < 1e-9)
        try expectState(generator.state, matches: try #require(entry["after"]))
    }

    @Test func savedStateContinuesTheStream() throws {
        var generator = NumpyRandom(seed: 1)
        _ = generator.standardNormal(count: 701)  // leaves a cached normal, mid-key
        let saved = generator.state
        #expect(saved.hasGauss)
        let expected = generator.standardNormal(count: 9) + generator.uniform(count: 3) + generator.permutation(20).map(Double.init)
        var restored = NumpyRandom(state: try NumpyRandom.State(key: saved.key, position: saved.position,
                                                                  hasGauss: saved.hasGauss, gauss: saved.gauss))
        let again = restored.standardNormal(count: 9) + restored.uniform(count: 3) + restored.permutation(20).map(Double.init)
        #expect(again == expected)
    }

    @Test func rejectsMalformedStates() {
        #expect(throws: NumpyRandomError.self) { try NumpyRandom.State(key: [1, 2, 3], position: 0, hasGauss: false, gauss: 0) }
        #expect(throws: NumpyRandomError.self) {
            try NumpyRandom.State(key: Array(repeating: 0, count: 624), position: 625, hasGauss: false, gauss: 0)
        }
    }
}

/// Long permutations cross MT19937's 624-word regeneration in the middle of a shuffle;
/// checked against numpy itself.
@Suite struct NumpyRandomLongStreamTests {
    @Test func longPermutationsMatchNumpy() throws {
        let script = """
        import numpy as np
        np.random.seed(7)
        np.random.rand(311)
        a = np.random.permutation(5000)
        b = np.random.permutation(1234)
        print(" ".join(map(str, np.concatenate([a, b]))), repr(np.random.rand()))
        """
        let output = try Python.run(script: script).split(separator: " ")
        var generator = NumpyRandom(seed: 7)
        _ = generator.uniform(count: 311)
        let ours = generator.permutation(5000) + generator.permutation(1234)
        #expect(ours == output.dropLast().compactMap { Int($0) })
        #expect(String(output.last ?? "").trimmingCharacters(in: .whitespacesAndNewlines) == "\(generator.nextDouble())")
    }

    /// Bounds above 2³² − 1 take two 32-bit words per draw (the shuffle of an array of
    /// more than 4 G elements does): legacy `randint` draws the same masked 64-bit values.
    @Test func sixtyFourBitBoundedDrawsMatchNumpy() throws {
        let bound: UInt64 = (1 << 33) + 12_345
        let script = """
        import numpy as np
        np.random.seed(9)
        print(" ".join(map(str, np.random.randint(0, \(bound + 1), size=400, dtype=np.int64))))
        """
        let expected = try Python.run(script: script).split(separator: " ").compactMap { UInt64(String($0).trimmingCharacters(in: .whitespacesAndNewlines)) }
        var generator = NumpyRandom(seed: 9)
        let ours = (0..<400).map { _ in generator.nextInterval(upTo: bound) }
        #expect(expected.count == 400)
        #expect(ours == expected)
    }
}
