import XCTest
@testable import Analysis

/// Every fusion method against numpy (Fixtures/fusion.json) for scalar and vector uncertainty,
/// and template verification / template reject verification on fused templates.
final class FusionGoldenTests: XCTestCase {
    func testEveryFusionEqualsNumpy() throws {
        let fixture = try Fixture.load("fusion.json")
        for c in fixture["cases"].array {
            let d = c["dimension"].int, k = c["width"].int
            let e = try RowMatrix(values: c["embeddings"].floats, rows: c["embeddings"].array.count / d, columns: d)
            let u = try RowMatrix(values: c["uncertainty"].floats, rows: e.rows, columns: k)
            let templates = try TemplateMembers(offsets: c["offsets"].ints, members: c["members"].int32s,
                                                media: nil)
            let fused = c["fused"].object
            XCTAssertEqual(fused.count, 22)
            for (name, want) in fused {
                let method = try FusionMethod(name: name)
                XCTAssertEqual(method.description, name)
                if !want["error"].isNull {
                    // the reference raises: fusion.py's min for k = 1, the template script's argmax for k = D
                    XCTAssertThrowsError(try fuseTemplates(method, embeddings: e, uncertainty: u, templates: templates),
                                         "\(c["name"].string) \(name)")
                    continue
                }
                var members = templates
                if method == .mediaMean {
                    // media ids and detector scores per member, gathered from the per-image arrays
                    let media = c["media"].int32s, det = c["detector_scores"].floats
                    members = try TemplateMembers(offsets: templates.offsets, members: templates.members,
                                                  media: templates.members.map { media[Int($0)] },
                                                  detectorScores: templates.members.map { det[Int($0)] })
                }
                let got = try fuseTemplates(method, embeddings: e, uncertainty: u, templates: members,
                                            seed: UInt64(c["seed"].int))
                let we = want["embeddings"].doubles
                XCTAssertEqual(got.embeddings.values.count, we.count)
                for i in we.indices {
                    XCTAssertEqual(got.embeddings.values[i], Float(we[i]),
                                  "\(c["name"].string) \(name) embedding \(i): \(got.embeddings.values[i]) vs \(we[i])")
                }
                if want["uncertainty"].isNull {
                    XCTAssertNil(got.uncertainty, name)
                } else {
                    let wu = want["uncertainty"].doubles
                    let gu = try XCTUnwrap(got.uncertainty, name).values
                    for i in wu.indices {
                        XCTAssertEqual(gu[i], Float(wu[i]),
                                      "\(c["name"].string) \(name) uncertainty \(i): \(gu[i]) vs \(wu[i])")
                    }
                }
            }
        }
    }

    func testUnknownFusionListsValidNames() {
        XCTAssertThrowsError(try FusionMethod(name: "median")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'median'") && text.contains("stat-softmax") && text.contains("media-mean")
                          && text.contains("dim-softmax-<T>") && text.contains("weighted-softmax-dim-<T>"), text)
        }
        XCTAssertEqual(try FusionMethod(name: "softmax-0.5"), .softmax(temperature: 0.5))
        XCTAssertEqual(try FusionMethod(name: "weighted-softmax-2"), .weightedSoftmax(temperature: 2))
        XCTAssertEqual(try FusionMethod(name: "weighted-softmax-dim-2"), .weightedSoftmaxDim(temperature: 2))
        XCTAssertEqual(try FusionMethod(name: "dim-softmax-100"), .dimSoftmax(temperature: 100))
        XCTAssertEqual(FusionMethod.dimSoftmax(temperature: 100).description, "dim-softmax-100")
        XCTAssertThrowsError(try FusionMethod(name: "softmax-x"))
        // fusion.py's softmax needs its temperature (the reference raises IndexError without it)
        XCTAssertThrowsError(try FusionMethod(name: "dim-softmax"))
        XCTAssertFalse(FusionMethod.meanNoUncertainty.hasUncertainty)
        XCTAssertFalse(FusionMethod.dimSoftmax(temperature: 1).hasUncertainty)
    }

    /// Mean fusion, cosine template scores, TAR@FAR and template reject verification, with and
    /// without equal_uncertainty_enroll. TAR and FAR are compared exactly on numpy's scores.
    func testTemplateVerificationAndReject() throws {
        let t = try Fixture.load("fusion.json")["templates"]
        let d = t["dimension"].int
        let e = try RowMatrix(values: t["embeddings"].floats, rows: t["embeddings"].array.count / d, columns: d)
        let u = try RowMatrix(values: t["uncertainty"].floats, rows: e.rows, columns: 1)
        let templates = try TemplateMembers(offsets: t["offsets"].ints, members: t["members"].int32s)
        let fused = try fuseTemplates(.mean, embeddings: e, uncertainty: u, templates: templates)
        let want = t["template_embeddings"].doubles
        for i in want.indices { XCTAssertTrue(closeFloat(Double(fused.embeddings.values[i]), want[i], ulps: 8)) }

        let pairs = try PairIndex(left: t["left"].int32s, right: t["right"].int32s, labels: t["labels"].bools)
        let scorer = try PairScorer(embeddings: fused.embeddings, uncertainty: fused.uncertainty, pairs: pairs)
        let cos = scorer.cosines, wantCos = t["cosines"].doubles
        for i in cos.indices { XCTAssertTrue(closeFloat(Double(cos[i]), wantCos[i], ulps: 8), "pair \(i)") }
        // the fixture's scores have no near-ties, so our own scores give the same ROC
        let fars = t["fars"].doubles
        let points = try tarAtFAR(scores: cos, labels: pairs.labels, fars: fars)
        XCTAssertEqual(points.map(\.tar), t["verification"]["tar"].doubles)
        XCTAssertEqual(points.map(\.far), t["verification"]["far"].doubles)
        for (p, w) in zip(points, t["verification"]["threshold"].doubles) { XCTAssertTrue(closeFloat(p.threshold, w, ulps: 8)) }

        let portions = t["portions"].doubles
        let unc = try scorer.uncertainties(.mean)
        let curve = try rejectCurve(scores: cos, pairUncertainty: unc, labels: pairs.labels, mode: .uncertainty,
                                    fars: fars, portions: portions, tieOrder: .stable)
        XCTAssertEqual(curve.tar, t["reject"]["tar"].matrix)
        XCTAssertEqual(curve.far, t["reject"]["far"].matrix)

        // template versus single image: enrolment mean-fused, verification first-fused; the
        // enrolment uncertainty is 1 in the rejection order only
        let sides = try TemplateSides(enrolment: fused,
                                      verification: fuseTemplates(.first, embeddings: e, uncertainty: u, templates: templates),
                                      pairs: pairs)
        let single = try PairScorer(embeddings: sides.embeddings, uncertainty: sides.uncertainty, pairs: sides.pairs)
        let wantSingle = t["cosines_single"].doubles
        for i in wantSingle.indices { XCTAssertTrue(closeFloat(Double(single.cosines[i]), wantSingle[i], ulps: 8), "pair \(i)") }
        let singlePoints = try tarAtFAR(scores: single.cosines, labels: pairs.labels, fars: fars)
        XCTAssertEqual(singlePoints.map(\.tar), t["verification_single"]["tar"].doubles)
        XCTAssertEqual(singlePoints.map(\.far), t["verification_single"]["far"].doubles)
        let ranking = try PairScorer(embeddings: sides.embeddings, uncertainty: sides.rankingUncertainty, pairs: sides.pairs)
        let curveEq = try rejectCurve(scores: single.cosines, pairUncertainty: ranking.uncertainties(.mean),
                                      labels: pairs.labels, mode: .uncertainty, fars: fars, portions: portions, tieOrder: .stable)
        XCTAssertEqual(curveEq.tar, t["reject_equal_enroll"]["tar"].matrix)
        XCTAssertNotEqual(curveEq.tar, curve.tar)
    }
}
