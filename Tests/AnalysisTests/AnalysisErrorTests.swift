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

    func testFARBelowOneOverNegatives() {
        XCTAssertNoThrow(try requireResolvableFARs([1e-3], negatives: 1000))
        XCTAssertThrowsError(try requireResolvableFARs([1e-4], negatives: 1000)) { error in
            XCTAssertEqual(error as? AnalysisError, .farTooSmall(far: 1e-4, negatives: 1000))
            XCTAssertTrue("\(error)".contains("1/1000"), "\(error)")
        }
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
