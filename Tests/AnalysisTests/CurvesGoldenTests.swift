import XCTest
@testable import Analysis
import Core

/// The reference protocols against numpy (Fixtures/curves.json, tools/golden/curves_golden.py):
/// numpy's argsort tie order, the reference FAR rule at small FARs, reject curves in numpy's
/// order over a seq grid, the cross rule with its normalised AUC, the grids, LFW 10-fold.
final class CurvesGoldenTests: XCTestCase {
    func testArgsortEqualsNumpyIndexForIndex() throws {
        let cases = try Fixture.load("curves.json")["argsort"].array
        XCTAssertEqual(cases.count, 15)
        for c in cases {
            let expected = c["order"].int32s
            if c["dtype"].string == "float32" {
                XCTAssertEqual(numpyArgsort(c["values"].floats), expected, c["name"].string)
            } else {
                XCTAssertEqual(numpyArgsort(c["values"].doubles), expected, c["name"].string)
            }
        }
    }

    func testArgsortOfTiesDiffersFromStableAndIsASort() throws {
        let c = try Fixture.load("curves.json")["argsort"].array.first { $0["name"].string == "ties-1000-float32" }!
        let v = c["values"].floats
        let order = numpyArgsort(v)
        XCTAssertNotEqual(order, stableArgsort(v))
        XCTAssertEqual(Set(order).count, v.count)
        for i in 1..<order.count { XCTAssertLessThanOrEqual(v[Int(order[i - 1])], v[Int(order[i])]) }
    }

    func testReferenceRuleAtSmallFARs() throws {
        let cases = try Fixture.load("curves.json")["small_far"].array
        var sawZeroAccepting = false, sawZeroUlpUp = false, sawOne = false
        for c in cases {
            let name = c["name"].string
            let fars = c["fars"].doubles
            let points = try tarAtFAR(scores: c["scores"].floats, labels: c["labels"].bools, fars: fars)
            let ranks = ScoreRanks(scores: c["scores"].floats, labels: c["labels"].bools)
            let viaRanks = try ranks.operatingPoints(fars: fars)
            for (i, p) in points.enumerated() {
                XCTAssertEqual(p.tar, c["tar"].doubles[i], "\(name) tar \(fars[i])")
                XCTAssertEqual(p.far, c["far"].doubles[i], "\(name) far \(fars[i])")
                XCTAssertEqual(p.threshold, c["threshold"].doubles[i], "\(name) threshold \(fars[i])")
                XCTAssertEqual(viaRanks[i], p, "\(name) ranks \(fars[i])")
                let k = c["k"].ints[i]
                if k == 0 && p.far > 0 { sawZeroAccepting = true }
                if k == 0 && p.far == 0 { sawZeroUlpUp = true }
                if k == 1 { sawOne = true }
            }
        }
        XCTAssertTrue(sawZeroAccepting && sawZeroUlpUp && sawOne, "the fixture covers k = 0 both ways and k = 1")
        // 7,824 impostors at FAR 1e-4: k = round(0.7824) = 1
        XCTAssertEqual(cases[0]["k"].ints[1], 1)
    }

    func testReferenceRejectCurveInNumpyOrder() throws {
        for c in try Fixture.load("curves.json")["reference_reject"].array {
            let name = c["name"].string
            let mode = try XCTUnwrap(UncertaintyMode(rawValue: c["mode"].string))
            let portions = c["portions"].doubles
            XCTAssertEqual(portions.count, 26)
            XCTAssertEqual(try parsePortions("0:0.02:0.5"), portions)
            let curve = try rejectCurve(scores: c["scores"].floats, pairUncertainty: c["uncertainty"].floats,
                                        labels: c["labels"].bools, mode: mode, fars: c["fars"].doubles,
                                        portions: portions)
            let e = c["expected"]
            XCTAssertEqual(curve.kept, e["kept"].ints, name)
            let tar = e["tar"].matrix
            for f in curve.fars.indices {
                for p in portions.indices {
                    XCTAssertTrue(sameOrBothNaN(curve.tar[f][p], tar[f][p]), "\(name) f\(f) p\(p): \(curve.tar[f][p]) vs \(tar[f][p])")
                }
                XCTAssertEqual(curve.auc[f], e["auc"].doubles[f], accuracy: 1e-12, "\(name) auc")
            }
            // the stable order differs somewhere on these ties
            let stable = try rejectCurve(scores: c["scores"].floats, pairUncertainty: c["uncertainty"].floats,
                                         labels: c["labels"].bools, mode: mode, fars: c["fars"].doubles,
                                         portions: portions, tieOrder: .stable)
            XCTAssertNotEqual(stable.tar, curve.tar, name)
        }
    }

    func testCrossRuleAndNormalisedAUC() throws {
        for c in try Fixture.load("curves.json")["cross"].array {
            let name = c["name"].string
            let sims = c["similarities"].floats, labels = c["labels"].bools
            let v = c["image_values"].floats
            let conf = (0..<sims.count).map { Double(v[2 * $0]) + Double(v[2 * $0 + 1]) }
            let splits = c["splits"].doubles
            XCTAssertEqual(splits, crossSplits)
            let curve = try rejectCurve(ranks: ScoreRanks(scores: sims, labels: labels), pairUncertainty: conf,
                                        mode: .confidence, fars: c["fars"].doubles, portions: splits, rule: .cross)
            XCTAssertEqual(curve.kept, c["kept"].ints, name)
            XCTAssertEqual(curve.tar, c["tar"].matrix, name)
            for f in curve.fars.indices {
                XCTAssertEqual(curve.auc[f], c["normalised_auc"].doubles[f], accuracy: 1e-12, "\(name) auc")
                XCTAssertEqual(curve.tar[f][8], c["tar_at_0_2"].doubles[f], "\(name) at 0.2")
            }
            let whole = try tarAtFAR(scores: sims, labels: labels, fars: c["fars"].doubles, rule: .cross)
            XCTAssertEqual(whole.map(\.tar), c["tar_whole"].doubles, name)
        }
        // cross.py's kept count differs from the reference's at N = 100, r = 0.075
        XCTAssertEqual(keptCount(pairs: 100, portion: 0.075, rule: .cross), 93)
        XCTAssertEqual(keptCount(pairs: 100, portion: 0.075), 92)
    }

    func testGridsEqualSeqAndArange() throws {
        let g = try Fixture.load("curves.json")["grids"]
        for s in g["seq"].array {
            let a = s["args"].array.map(\.string)
            XCTAssertEqual(try seqGrid(start: a[0], step: a[1], stop: a[2]), s["values"].doubles, "\(a)")
            XCTAssertEqual(try parsePortions(a.joined(separator: ":")).count, s["values"].doubles.count)
        }
        XCTAssertEqual(try parsePortions("0:0.002:0.5").count, 251)
        for r in g["arange"].array {
            let a = r["args"].doubles
            XCTAssertEqual(numpyArange(a[0], a[1], a[2]), r["values"].doubles, "\(a)")
        }
        XCTAssertEqual(lfwThresholds.count, 400)
        XCTAssertThrowsError(try parsePortions("0:-0.1:0.5"))
        XCTAssertThrowsError(try parsePortions("0:0.1x:0.5"))
    }

    func testLFWTenFoldAccuracy() throws {
        for c in try Fixture.load("curves.json")["lfw"].array {
            let name = c["name"].string
            let r = try tenFoldAccuracy(scores: c["scores"].floats, labels: c["labels"].bools)
            let e = c["expected"]
            XCTAssertEqual(r.foldAccuracy, e["fold_accuracy"].doubles, name)
            XCTAssertEqual(r.threshold, e["threshold"].doubles, name)
            XCTAssertEqual(r.mean, e["mean"].double, name)
            XCTAssertEqual(r.std, e["std"].double, name)
        }
        XCTAssertThrowsError(try tenFoldAccuracy(scores: [0.1, 0.2], labels: [true, false]))
    }

    func testPairwiseSumOrder() {
        // 1e16 + 1 + ... : the pairwise order keeps what a left-to-right loop loses
        let a = [1e16] + [Double](repeating: 1, count: 9)
        let big: Double = 1e16, one: Double = 1
        var expected: Double = (big + one) + (one + one)
        expected += (one + one) + (one + one)
        expected += one
        expected += one
        XCTAssertEqual(numpyPairwiseSum(a), expected)
    }
}
