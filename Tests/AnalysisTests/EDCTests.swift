import XCTest
@testable import Analysis

/// FNM-EDC worked out by hand (docs/metrics.md).
final class EDCTests: XCTestCase {
    // mated scores 0.9 0.2 0.6 0.3 with qualities 3 1 1 2; non-mated 0.5 0.1 0.4 0.0
    let scores: [Float] = [0.9, 0.2, 0.6, 0.3, 0.5, 0.1, 0.4, 0.0]
    let labels = [true, true, true, true, false, false, false, false]
    let quality: [Float] = [3, 1, 1, 2, 0, 0, 0, 0]

    func testHandComputedCurve() throws {
        // FAR 0.25: k = 1, threshold 0.5, mated 0.9 and 0.6 accepted: starting FNMR 0.5.
        // Discard order: q=1 (0.2, 0.6) together -> d = 0.5, then 0.3 -> 0.75, then 0.9 -> 1.
        let c = try edCurve(scores: scores, labels: labels, pairQuality: quality, fars: [0.25],
                            portions: [0, 0.25, 0.5, 0.8], paucLimit: 0.8)
        XCTAssertEqual(c.thresholds, [Double(Float(0.5))])
        XCTAssertEqual(c.startError, [0.5])
        XCTAssertEqual(c.discarded, [0, 0, 0.5, 0.75])
        XCTAssertEqual(c.fnmr, [[0.5, 0.5, 0.5, 0]])
        // 0.5 * 0.5 + 0.25 * 0.5 + 0.05 * 0
        XCTAssertEqual(c.pauc[0], 0.375, accuracy: 1e-12)
        let short = try edCurve(scores: scores, labels: labels, pairQuality: quality, fars: [0.25], portions: [0])
        XCTAssertEqual(short.paucLimit, 0.2)
        XCTAssertEqual(short.pauc[0], 0.1, accuracy: 1e-12)
    }

    func testPairQualityIsTheMinimumAndModeFlipsSign() throws {
        let u = try RowMatrix(values: [1, 4, 2], rows: 3, columns: 1)
        XCTAssertEqual(imageQuality(u, mode: .confidence), [1, 4, 2])
        XCTAssertEqual(imageQuality(u, mode: .uncertainty), [-1, -4, -2])
        let pairs = try PairIndex(left: [0, 1], right: [2, 2], labels: [true, false])
        XCTAssertEqual(pairQuality([1, 4, 2], pairs: pairs), [1, 2])
        let v = try RowMatrix(values: [1, 3], rows: 1, columns: 2)   // hm(1, 3) = 1.5
        XCTAssertEqual(imageQuality(v, mode: .confidence), [1.5])
    }
}
