import XCTest
@testable import Analysis

/// Spearman's correlation against hand calculations (ties share their average rank).
final class RankCorrelationTests: XCTestCase {
    func testAverageRanksShareTies() {
        XCTAssertEqual(averageRanks([3, 1, 2, 2]), [4, 1, 2.5, 2.5])
        XCTAssertEqual(averageRanks([5, 5, 5]), [2, 2, 2])
    }

    func testSpearmanByHand() {
        // ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]; deviations from 2.5:
        // sxy = 2.25 + 0 + 0 + 2.25 = 4.5, sxx = 4.5, syy = 5  ->  4.5 / sqrt(22.5).
        XCTAssertEqual(spearmanCorrelation([1, 2, 2, 3], [1, 3, 2, 4])!, 4.5 / 22.5.squareRoot(), accuracy: 1e-15)
        // Any strictly monotone map of the data leaves it unchanged; reversing flips the sign.
        let x = [0.3, -1.0, 2.5, 7.0, 0.1]
        XCTAssertEqual(spearmanCorrelation(x, x.map { exp($0) })!, 1, accuracy: 1e-15)
        XCTAssertEqual(spearmanCorrelation(x, x.map { -$0 * $0 * $0 })!, -1, accuracy: 1e-15)
        // Without ties it is 1 - 6 sum d^2 / (n (n^2 - 1)): ranks [2,1,3] vs [1,2,3] give d^2 sum 2.
        XCTAssertEqual(spearmanCorrelation([2, 1, 3], [10, 20, 30])!, 1 - 6.0 * 2 / (3 * 8), accuracy: 1e-15)
    }

    func testUndefinedCasesAreNil() {
        XCTAssertNil(spearmanCorrelation([1], [2]))
        XCTAssertNil(spearmanCorrelation([1, 1, 1], [1, 2, 3]))
    }
}
