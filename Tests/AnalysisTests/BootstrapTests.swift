import XCTest
@testable import Analysis
import Core

final class BootstrapTests: XCTestCase {
    func testPercentileMatchesNumpyLinear() {
        // numpy.percentile([1, 2, 4, 8], [2.5, 50, 97.5]) == [1.075, 3.0, 7.7]
        XCTAssertEqual(percentile(sorted: [1, 2, 4, 8], 0.025), 1.075, accuracy: 1e-12)
        XCTAssertEqual(percentile(sorted: [1, 2, 4, 8], 0.5), 3, accuracy: 1e-12)
        XCTAssertEqual(percentile(sorted: [1, 2, 4, 8], 0.975), 7.7, accuracy: 1e-12)
    }

    /// When every subject has the same pairs, every replicate is the data set repeated, so
    /// the interval collapses onto the plain estimate.
    func testIdenticalSubjectsGiveADegenerateInterval() throws {
        let one: [Float] = [0.9, 0.7, 0.3, 0.1, 0.5]
        let oneU: [Float] = [1, 2, 3, 4, 5]
        let oneY = [true, true, false, false, false]
        var s: [Float] = [], u: [Float] = [], y: [Bool] = [], subj: [Int64] = []
        for k in 0..<6 { s += one; u += oneU; y += oneY; subj += Array(repeating: Int64(k), count: 5) }
        let fars = [0.34, 0.67]
        let b = try bootstrapIntervals(scores: s, pairUncertainty: u, labels: y, subjects: subj, mode: .uncertainty,
                                       fars: fars, portions: [0, 0.2, 0.4], replicates: 20, seed: 9)
        let plain = try tarAtFAR(scores: s, labels: y, fars: fars)
        XCTAssertEqual(b.tarLower, plain.map(\.tar))
        XCTAssertEqual(b.tarUpper, plain.map(\.tar))
        XCTAssertEqual(b.skipped, 0)
        XCTAssertEqual(b.aucLower[0], b.aucUpper[0], accuracy: 1e-12)
    }

    func testSameSeedSameIntervalsAndBoundsOrdered() throws {
        var rng = SplitMix64(seed: 1)
        let n = 400
        let y = (0..<n).map { _ in rng.next() % 3 == 0 }
        let s = y.map { Float(rng.index(below: 1000)) / 1000 + ($0 ? 0.4 : 0) }
        let u = (0..<n).map { _ in Float(rng.index(below: 1000)) }
        let subj = (0..<n).map { Int64($0 / 8) }
        let run = { try bootstrapIntervals(scores: s, pairUncertainty: u, labels: y, subjects: subj, mode: .confidence,
                                           fars: [0.01, 0.1], portions: linspace(0, 0.5, 11), replicates: 50, seed: 3) }
        let a = try run(), b = try run()
        XCTAssertEqual(a, b)
        for f in 0..<2 {
            XCTAssertLessThanOrEqual(a.tarLower[f], a.tarUpper[f])
            XCTAssertLessThan(a.aucLower[f], a.aucUpper[f])
        }
    }
}
