import XCTest
@testable import Analysis
import Core

/// Reject curves against numpy's literal section 6/7 computation (Fixtures/reject.json): ties in
/// scores and in the keep order, both modes, a FAR whose k is 0, tiny and empty kept sets.
final class RejectGoldenTests: XCTestCase {
    func testRejectCurvesEqualNumpy() throws {
        let cases = try Fixture.load("reject.json")["cases"].array
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let name = c["name"].string
            let mode = try XCTUnwrap(UncertaintyMode(rawValue: c["mode"].string))
            let curve = try rejectCurve(scores: c["scores"].floats, pairUncertainty: c["uncertainty"].floats,
                                        labels: c["labels"].bools, mode: mode,
                                        fars: c["fars"].doubles, portions: c["portions"].doubles, tieOrder: .stable)
            let e = c["expected"]
            XCTAssertEqual(curve.kept, e["kept"].ints, name)
            let tar = e["tar"].matrix, far = e["far"].matrix, thr = e["threshold"].matrix
            let auc = e["auc"].doubles
            for f in curve.fars.indices {
                for p in curve.portions.indices {
                    XCTAssertTrue(sameOrBothNaN(curve.tar[f][p], tar[f][p]),
                                  "\(name) tar f\(f) p\(p): \(curve.tar[f][p]) vs \(tar[f][p])")
                    XCTAssertTrue(sameOrBothNaN(curve.far[f][p], far[f][p]),
                                  "\(name) far f\(f) p\(p): \(curve.far[f][p]) vs \(far[f][p])")
                    XCTAssertTrue(closeFloat(curve.threshold[f][p], thr[f][p], ulps: 1),
                                  "\(name) threshold f\(f) p\(p)")
                }
                if auc[f].isNaN {
                    XCTAssertTrue(curve.auc[f].isNaN, name)
                } else {
                    XCTAssertEqual(curve.auc[f], auc[f], accuracy: 1e-9 * max(1, abs(auc[f])), "\(name) auc f\(f)")
                }
            }
        }
    }

    /// The golden cases include points whose k rounds to 0 and kept sets without negatives.
    func testFixtureCoversZeroKAndEmptySets() throws {
        let c = try Fixture.load("reject.json")["cases"].array[0]
        XCTAssertEqual(roundHalfToEven(Double(c["labels"].bools.filter { !$0 }.count) * c["fars"].doubles[0]), 0)
        XCTAssertEqual(c["expected"]["kept"].ints.last, 0)
        XCTAssertTrue(c["expected"]["tar"].matrix[0].last!.isNaN)
    }

    func testLinspaceEqualsNumpyValueForValue() throws {
        let lin = try Fixture.load("reject.json")["linspace"]
        XCTAssertEqual(linspace(lin["start"].double, lin["stop"].double, lin["num"].int), lin["values"].doubles)
        XCTAssertEqual(try parsePortions("0:0.5:250"), lin["values"].doubles)
    }

    func testPortionZeroEqualsPlainTARAtFAR() throws {
        for c in try Fixture.load("reject.json")["cases"].array {
            let mode = try XCTUnwrap(UncertaintyMode(rawValue: c["mode"].string))
            let curve = try rejectCurve(scores: c["scores"].floats, pairUncertainty: c["uncertainty"].floats,
                                        labels: c["labels"].bools, mode: mode, fars: c["fars"].doubles, portions: [0])
            let plain = try tarAtFAR(scores: c["scores"].floats, labels: c["labels"].bools, fars: c["fars"].doubles)
            XCTAssertEqual(curve.tar.map { $0[0] }, plain.map(\.tar))
            XCTAssertEqual(curve.far.map { $0[0] }, plain.map(\.far))
            XCTAssertEqual(curve.threshold.map { $0[0] }, plain.map(\.threshold))
        }
    }
}
