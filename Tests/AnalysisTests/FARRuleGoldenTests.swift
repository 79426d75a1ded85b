import Core
import XCTest
@testable import Analysis

/// The InsightFace FAR rule (docs/metrics.md, "FAR rules: reference and insightface") against
/// scikit-learn's `roc_curve` read as eval_ijbc.py reads it (Fixtures/far_rule.json, written by
/// tools/golden/far_rule_golden.py): TAR and real FAR exactly, thresholds to one float32 ulp;
/// sklearn's `inf` threshold is reported as `Double(max score) + 1`.
final class FARRuleGoldenTests: XCTestCase {
    private func check(_ points: [OperatingPoint], _ e: JSON, scores: [Float], _ name: String) {
        let tar = e["tar"].doubles, far = e["far"].doubles, thr = e["threshold"].doubles, inf = e["inf"].bools
        XCTAssertEqual(points.count, tar.count, name)
        for (f, p) in points.enumerated() {
            XCTAssertTrue(sameOrBothNaN(p.tar, tar[f]), "\(name) tar f\(f): \(p.tar) vs \(tar[f])")
            XCTAssertTrue(sameOrBothNaN(p.far, far[f]), "\(name) far f\(f): \(p.far) vs \(far[f])")
            XCTAssertTrue(closeFloat(p.threshold, thr[f], ulps: 1), "\(name) threshold f\(f): \(p.threshold) vs \(thr[f])")
            if inf[f] { XCTAssertEqual(p.threshold, Double(scores.max()!) + 1, "\(name) inf threshold f\(f)") }
        }
    }

    func testVerificationEqualsSklearn() throws {
        let cases = try Fixture.load("far_rule.json")["cases"].array
        XCTAssertGreaterThan(cases.count, 40)
        for c in cases {
            let scores = c["scores"].floats, labels = c["labels"].bools, fars = c["fars"].doubles
            check(try tarAtFAR(scores: scores, labels: labels, fars: fars, rule: .insightface), c["expected"],
                  scores: scores, c["name"].string)
            check(try ScoreRanks(scores: scores, labels: labels).operatingPoints(fars: fars, rule: .insightface),
                  c["expected"], scores: scores, c["name"].string + " (ranks)")
        }
    }

    func testRejectCurvesEqualSklearn() throws {
        let cases = try Fixture.load("far_rule.json")["reject"].array
        XCTAssertEqual(Set(cases.map { $0["mode"].string }), ["uncertainty", "confidence"])
        for c in cases {
            let name = c["name"].string
            let mode = try XCTUnwrap(UncertaintyMode(rawValue: c["mode"].string))
            let curve = try rejectCurve(scores: c["scores"].floats, pairUncertainty: c["uncertainty"].floats,
                                        labels: c["labels"].bools, mode: mode, fars: c["fars"].doubles,
                                        portions: c["portions"].doubles, rule: .insightface, tieOrder: .stable)
            let e = c["expected"]
            XCTAssertEqual(curve.kept, e["kept"].ints, name)
            let tar = e["tar"].matrix, far = e["far"].matrix, thr = e["threshold"].matrix, auc = e["auc"].doubles
            for f in curve.fars.indices {
                for p in curve.portions.indices {
                    XCTAssertTrue(sameOrBothNaN(curve.tar[f][p], tar[f][p]), "\(name) tar f\(f) p\(p)")
                    XCTAssertTrue(sameOrBothNaN(curve.far[f][p], far[f][p]), "\(name) far f\(f) p\(p)")
                    XCTAssertTrue(closeFloat(curve.threshold[f][p], thr[f][p], ulps: 1), "\(name) threshold f\(f) p\(p)")
                }
                if auc[f].isNaN {
                    XCTAssertTrue(curve.auc[f].isNaN, name)
                } else {
                    XCTAssertEqual(curve.auc[f], auc[f], accuracy: 1e-9 * max(1, abs(auc[f])), "\(name) auc f\(f)")
                }
            }
            // portion 0 of the curve is the verification point over all pairs
            let all = try tarAtFAR(scores: c["scores"].floats, labels: c["labels"].bools, fars: c["fars"].doubles,
                                   rule: .insightface)
            XCTAssertEqual(curve.tar.map { $0[0] }, all.map(\.tar), name)
            XCTAssertEqual(curve.threshold.map { $0[0] }, all.map(\.threshold), name)
        }
    }

    /// Hand-computed (docs/metrics.md, "FAR rules"). Positives 0.9 0.8 0.7 0.7, negatives
    /// 0.95 0.8 0.6 0.5 0.4 0.4. Distinct scores descending give (fp, tp):
    /// 0.95 (1,0), 0.9 (1,1), 0.8 (2,2), 0.7 (2,4), 0.6 (3,4), 0.5 (4,4), 0.4 (6,4).
    /// Steps (0,1) (1,1) (0,2) (1,0) (1,0) (2,0): only 0.6 has equal steps in and out, so it is
    /// dropped. With (0,0, inf) prepended the FPRs are 0, 1/6, 1/6, 1/3, 1/3, 2/3, 1.
    /// - FAR 1e-3: nearest FPR 0, only the (0,0) point: TAR 0, FAR 0, threshold 0.95 + 1.
    /// - FAR 0.2: nearest 1/6, tied by 0.95 and 0.9; the lower threshold wins: TAR 1/4 at 0.9.
    /// - FAR 0.45: nearest 1/3, tied by 0.8 and 0.7: TAR 1, FAR 1/3 at 0.7 (the reference rule
    ///   gives k = round(2.7) = 3, threshold 0.6, FAR 1/2).
    /// - FAR 0.6: nearest 2/3: TAR 1, FAR 2/3 at 0.5.
    /// - FAR 1/3 exactly: 0.8 and 0.7 both at distance 0: TAR 1 at 0.7.
    func testHandComputedCase() throws {
        let scores: [Float] = [0.9, 0.8, 0.7, 0.7, 0.95, 0.8, 0.6, 0.5, 0.4, 0.4]
        let labels = [true, true, true, true, false, false, false, false, false, false]
        let p = try tarAtFAR(scores: scores, labels: labels, fars: [1e-3, 0.2, 0.45, 0.6], rule: .insightface)
        XCTAssertEqual(p.map(\.tar), [0, 0.25, 1, 1])
        XCTAssertEqual(p.map(\.far), [0, 1.0 / 6, 2.0 / 6, 4.0 / 6])
        XCTAssertEqual(p.map(\.threshold), [Double(Float(0.95)) + 1, Double(Float(0.9)), Double(Float(0.7)), 0.5])
        // a reject curve stops reading pairs past the largest FAR, but not before the tie at
        // FPR 1/3 (0.8 and 0.7) is resolved to the lower threshold
        let curve = try rejectCurve(scores: scores, pairUncertainty: [Float](repeating: 0, count: 10), labels: labels,
                                    mode: .uncertainty, fars: [2.0 / 6], portions: [0], rule: .insightface)
        XCTAssertEqual(curve.tar, [[1]])
        XCTAssertEqual(curve.threshold, [[Double(Float(0.7))]])
        // negatives 0.9 0.5 0.1, positives 0.6 0.4 0.35 0.35 0.3: four kept points at FPR 2/3,
        // (2,1) (2,2) (2,4) (2,5); the last (threshold 0.3) is chosen for FAR 2/3
        let more = try rejectCurve(scores: [0.9, 0.5, 0.1, 0.6, 0.4, 0.35, 0.35, 0.3],
                                   pairUncertainty: [Float](repeating: 0, count: 8),
                                   labels: [false, false, false, true, true, true, true, true],
                                   mode: .uncertainty, fars: [2.0 / 3], portions: [0], rule: .insightface)
        XCTAssertEqual(more.tar, [[1]])
        XCTAssertEqual(more.threshold, [[Double(Float(0.3))]])
        let reference = try tarAtFAR(scores: scores, labels: labels, fars: [0.45])
        XCTAssertEqual(reference[0].threshold, Double(Float(0.6)))
        XCTAssertEqual(reference[0].far, 0.5)
    }

    /// The fixture exercises what matters: sklearn's inf point, FARs below 1/negatives, all-equal
    /// scores, and points where the two rules differ (so the golden test can tell them apart).
    func testFixtureCoversInfTiesAndDiffersFromReference() throws {
        let cases = try Fixture.load("far_rule.json")["cases"].array
        XCTAssertTrue(cases.contains { $0["expected"]["inf"].bools.contains(true) })
        XCTAssertTrue(cases.contains { Set($0["scores"].floats).count == 1 })
        var differing = 0
        for c in cases {
            let negatives = c["labels"].bools.filter { !$0 }.count
            XCTAssertTrue(c["fars"].doubles.contains { $0 < 1 / Double(negatives) }, c["name"].string)
            let reference = try tarAtFAR(scores: c["scores"].floats, labels: c["labels"].bools, fars: c["fars"].doubles)
            differing += zip(reference, c["expected"]["tar"].doubles).filter { $0.0.tar != $0.1 }.count
        }
        XCTAssertGreaterThan(differing, 0)
    }

    func testDefaultRuleIsReference() throws {
        let c = try Fixture.load("far_rule.json")["cases"].array[10]
        let scores = c["scores"].floats, labels = c["labels"].bools, fars = c["fars"].doubles
        XCTAssertEqual(try tarAtFAR(scores: scores, labels: labels, fars: fars),
                       try tarAtFAR(scores: scores, labels: labels, fars: fars, rule: .reference))
        XCTAssertEqual(FARRule(rawValue: "insightface"), .insightface)
        XCTAssertEqual(FARRule.allCases, [.reference, .insightface, .cross])
    }
}
