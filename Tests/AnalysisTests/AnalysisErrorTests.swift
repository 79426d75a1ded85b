import XCTest
@testable import Analysis

/// Bad inputs give one clear error naming the problem.
final class AnalysisErrorTests: XCTestCase {
    func testNoPositivesOrNegatives() {
        XCTAssertThrowsError(try tarAtFAR(scores: [0.1, 0.2], labels: [false, false], fars: [0.5])) {
            XCTAssertEqual($0 as? AnalysisError, .noPositives(context: "the pair set"))
        }
        XCTAssertThrowsError(try rejectCurve(scores: [0.1, 0.2], pairUncertainty: [1, 2], labels: [true, true],
                                             mode: .uncertainty, fars: [0.5], portions: [0])) {
            XCTAssertEqual($0 as? AnalysisError, .noNegatives(context: "the pair set"))
        }
    }

    func testKeptSetWithoutNegativesIsUndefinedNotAnError() throws {
        // the two most certain pairs are positives: at portion 0.5 no negative is kept
        let c = try rejectCurve(scores: [0.9, 0.8, 0.1, 0.2], pairUncertainty: [0, 0, 1, 1],
                                labels: [true, true, false, false], mode: .uncertainty, fars: [0.5], portions: [0, 0.5])
        XCTAssertEqual(c.tar[0][0], 1)
        XCTAssertTrue(c.tar[0][1].isNaN && c.far[0][1].isNaN && c.threshold[0][1].isNaN)
        XCTAssertTrue(c.auc[0].isNaN)
    }

    /// A FAR below 1/negatives is computed, not refused; it is only named for a warning.
    func testFARBelowOneOverNegativesIsNamedNotRefused() throws {
        XCTAssertEqual(underResolvedFARs([1e-3, 1e-4, 6e-4], negatives: 1000), [1e-4, 6e-4])
        XCTAssertTrue(underResolvedFARWarning(1e-4, negatives: 1000).contains("FAR 0.0001"))
        XCTAssertTrue(underResolvedFARWarning(1e-4, negatives: 1000).contains("k = 0"))
        // 7,824 impostors at FAR 1e-4: k = round(0.7824) = 1, the top impostor's score
        XCTAssertTrue(underResolvedFARWarning(1e-4, negatives: 7824).contains("= 1"))
        let p = try tarAtFAR(scores: [0.9, 0.5, 0.3], labels: [true, true, false], fars: [1e-4])
        XCTAssertEqual(p[0].threshold, Double(Float(0.3)), "k = 0 at |neg[0]| >= 0.25: neg[0] + 1e-8 rounds to neg[0] in float32")
        XCTAssertEqual(p[0].far, 1)
        XCTAssertThrowsError(try parseFARs("0.1,0"))
        XCTAssertThrowsError(try parseFARs("0.1,abc"))
    }

    func testNaNScoresAndUncertaintiesNameThePair() {
        XCTAssertThrowsError(try tarAtFAR(scores: [0.1, .nan], labels: [true, false], fars: [0.5])) {
            XCTAssertEqual($0 as? AnalysisError, .notFinite(what: "score", index: 1))
        }
        XCTAssertThrowsError(try rejectCurve(scores: [0.1, 0.2, 0.3], pairUncertainty: [1, 2, .nan],
                                             labels: [true, false, true], mode: .confidence, fars: [0.5], portions: [0])) {
            XCTAssertEqual($0 as? AnalysisError, .notFinite(what: "pair uncertainty", index: 2))
            XCTAssertEqual("\($0)", "pair uncertainty is NaN at pair 2")
        }
    }

    func testBadShapesAndIndices() throws {
        XCTAssertThrowsError(try RowMatrix(values: [1, 2, 3], rows: 2, columns: 2))
        let e = try RowMatrix(values: [1, 0, 0, 1], rows: 2, columns: 2)
        let pairs = try PairIndex(left: [0], right: [2], labels: [true])
        XCTAssertThrowsError(try PairScorer(embeddings: e, uncertainty: nil, pairs: pairs))
        let u3 = try RowMatrix(values: [1, 1, 1, 1, 1, 1], rows: 2, columns: 3)
        XCTAssertThrowsError(try PairScorer(embeddings: e, uncertainty: u3,
                                            pairs: PairIndex(left: [0], right: [1], labels: [true])))
        XCTAssertThrowsError(try parsePortions("0:0.5"))
        XCTAssertThrowsError(try parsePortions("0,1.5"))
    }

    func testUncertaintyMetricsWithoutAStrategy() throws {
        let e = try RowMatrix(values: [1, 0, 0, 1], rows: 2, columns: 2)
        let s = try PairScorer(embeddings: e, uncertainty: nil, pairs: PairIndex(left: [0], right: [1], labels: [true]))
        XCTAssertThrowsError(try s.uncertainties(.harmonicHarmonic))
        XCTAssertEqual(try s.uncertainties(.similarity), [0])
        XCTAssertThrowsError(try fuseTemplates(.pfe, embeddings: e, uncertainty: nil,
                                               templates: TemplateMembers(offsets: [0, 2], members: [0, 1])))
    }
}
