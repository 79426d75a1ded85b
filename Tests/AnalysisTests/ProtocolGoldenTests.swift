import XCTest
import Core
@testable import Analysis

/// The template-versus-single-image setup and the validation bias of every fusion against
/// numpy (Fixtures/protocols.json, tools/golden/protocols_golden.py), for a scalar and a
/// 512-wide uncertainty, and the template script's flat-index `argmax`.
final class ProtocolGoldenTests: XCTestCase {
    /// The images of a case, drawn from SplitMix64 exactly as the golden script's docstring says.
    private func images(_ c: JSON) throws -> (RowMatrix, RowMatrix) {
        let d = c["dimension"].int, k = c["width"].int, ids = c["image_identities"].ints
        var rng = SplitMix64(seed: UInt64(c["seed"].int))
        let centre = (0..<c["identities"].int).map { _ in (0..<d).map { _ in 2 * rng.uniform() - 1 } }
        var e: [Float] = [], u: [Float] = []
        for id in ids { for j in 0..<d { e.append(Float(centre[id][j] + 0.8 * (2 * rng.uniform() - 1))) } }
        for _ in ids { for _ in 0..<k { u.append(Float(0.3 + 0.9 * rng.uniform())) } }
        return (try RowMatrix(values: e, rows: ids.count, columns: d), try RowMatrix(values: u, rows: ids.count, columns: k))
    }

    private func sides(_ method: FusionMethod, _ e: RowMatrix, _ u: RowMatrix, offsets: [Int], members: [Int32],
                       pairs: PairIndex) throws -> TemplateSides {
        let t = try TemplateMembers(offsets: offsets, members: members)
        return try TemplateSides(enrolment: fuseTemplates(method, embeddings: e, uncertainty: u, templates: t),
                                 verification: fuseTemplates(.first, embeddings: e, uncertainty: u, templates: t),
                                 pairs: pairs)
    }

    private func assertClose(_ got: [Float], _ want: [Double], ulps: Double, _ what: String) {
        XCTAssertEqual(got.count, want.count, what)
        for i in want.indices where !closeFloat(Double(got[i]), want[i], ulps: ulps) {
            XCTFail("\(what) pair \(i): \(got[i]) vs \(want[i])")
            return
        }
    }

    func testSingleImageSetupAndValidationBiasOfEveryFusion() throws {
        var checked = 0
        for c in try Fixture.load("protocols.json")["single"].array {
            let (e, u) = try images(c)
            let pairs = try PairIndex(left: c["left"].int32s, right: c["right"].int32s, labels: c["labels"].bools)
            let val = try PairIndex(left: c["val_left"].int32s, right: c["val_right"].int32s, labels: c["val_labels"].bools)
            let bias = c["bias"].double
            for (name, want) in c["fused"].object {
                let method = try FusionMethod(name: name)
                let what = "\(c["name"].string) \(name)"
                if !want["error"].isNull {
                    XCTAssertThrowsError(try sides(method, e, u, offsets: c["offsets"].ints, members: c["members"].int32s,
                                                   pairs: pairs), what)
                    continue
                }
                let s = try sides(method, e, u, offsets: c["offsets"].ints, members: c["members"].int32s, pairs: pairs)
                let scorer = try PairScorer(embeddings: s.embeddings, uncertainty: s.uncertainty, pairs: s.pairs, bias: bias)
                for (score, values) in want["scores"].object {
                    assertClose(try scorer.scores(PairDistance(name: score)), values.doubles, ulps: 16, "\(what) \(score)")
                }
                if !want["uncertainties"].isNull {
                    let ranking = try PairScorer(embeddings: s.embeddings, uncertainty: s.rankingUncertainty, pairs: s.pairs)
                    for (kind, values) in want["uncertainties"].object {
                        assertClose(try ranking.uncertainties(PairUncertainty(name: kind)), values.doubles, ulps: 2,
                                    "\(what) \(kind)")
                    }
                    // TAR and FAR exactly: the fixture's scores and uncertainties have no near-ties
                    let curve = try rejectCurve(scores: scorer.cosines, pairUncertainty: ranking.uncertainties(.mean),
                                                labels: pairs.labels, mode: .confidence, fars: c["fars"].doubles,
                                                portions: c["portions"].doubles)
                    XCTAssertEqual(curve.tar, want["reject"]["tar"].matrix, what)
                    XCTAssertEqual(curve.far, want["reject"]["far"].matrix, what)
                } else {
                    XCTAssertNil(s.uncertainty, what)
                }
                // the bias on the validation protocol, in both setups (float32 cosines: 1e-6)
                let vs = try sides(method, e, u, offsets: c["val_offsets"].ints, members: c["val_members"].int32s,
                                   pairs: val)
                let single = try cosineBias(cosines: PairScorer(embeddings: vs.embeddings, uncertainty: nil, pairs: vs.pairs).cosines,
                                            labels: val.labels)
                XCTAssertEqual(single, want["bias_single"].double, accuracy: 1e-6, what)
                let vf = try fuseTemplates(method, embeddings: e, uncertainty: u,
                                           templates: TemplateMembers(offsets: c["val_offsets"].ints, members: c["val_members"].int32s))
                let full = try cosineBias(cosines: PairScorer(embeddings: vf.embeddings, uncertainty: nil, pairs: val).cosines,
                                          labels: val.labels)
                XCTAssertEqual(full, want["bias_full"].double, accuracy: 1e-6, what)
                checked += 1
            }
        }
        XCTAssertEqual(checked, 2 * 19)
    }

    /// numpy's flattened argmax (row 0, column 2) used as the image index: image 2, unnormalised.
    func testTemplateScriptArgmaxUsesTheFlatIndex() throws {
        let c = try Fixture.load("protocols.json")["argmax_flat"]
        let d = c["dimension"].int
        let e = try RowMatrix(values: c["embeddings"].floats, rows: 3, columns: d)
        let u = try RowMatrix(values: c["uncertainty"].floats, rows: 3, columns: d)
        let t = try TemplateMembers(offsets: [0, 3], members: [0, 1, 2])
        let f = try fuseTemplates(.argmax, embeddings: e, uncertainty: u, templates: t)
        XCTAssertEqual(f.embeddings.values, c["fused_embedding"].floats)
        XCTAssertEqual(f.uncertainty?.values, c["fused_uncertainty"].floats)
        // the per-component variant takes, per dimension, the image of largest u
        let dim = try fuseTemplates(.argmaxDim, embeddings: e, uncertainty: u, templates: t)
        XCTAssertEqual(dim.embeddings.values, [0, 1, 3, 1])
        XCTAssertEqual(dim.uncertainty?.values, [1.0, 2.0, 9.0, 4.0])
    }

    /// A template on both sides of the protocol: two rows (enrolment, verification), the pair
    /// (t, t) scores the two fusions of t against each other.
    func testTemplateOnBothSidesHasTwoRows() throws {
        let e = try RowMatrix(values: [1, 0, 0, 1, 1, 1], rows: 3, columns: 2)
        let u = try RowMatrix(values: [2, 3, 4], rows: 3, columns: 1)
        let t = try TemplateMembers(offsets: [0, 2, 3], members: [1, 0, 2])
        let pairs = try PairIndex(left: [0, 1, 0], right: [0, 0, 1], labels: [true, false, false])
        let s = try TemplateSides(enrolment: fuseTemplates(.mean, embeddings: e, uncertainty: u, templates: t),
                                  verification: fuseTemplates(.first, embeddings: e, uncertainty: u, templates: t),
                                  pairs: pairs)
        XCTAssertEqual(s.pairs.left, [0, 1, 0])
        XCTAssertEqual(s.pairs.right, [2, 2, 3])
        // enrolment: mean of (0,1),(1,0) and (1,1), uncertainties 2.5 and 4; verification: first = image 1
        XCTAssertEqual(s.uncertainty?.values, [2.5, 4, 3, 4])
        XCTAssertEqual(s.rankingUncertainty?.values, [1, 1, 3, 4])
        let ranking = try PairScorer(embeddings: s.embeddings, uncertainty: s.rankingUncertainty, pairs: s.pairs)
        XCTAssertEqual(try ranking.uncertainties(.mean), [4, 4, 5])
        let scorer = try PairScorer(embeddings: s.embeddings, uncertainty: s.uncertainty, pairs: s.pairs)
        XCTAssertEqual(try scorer.uncertainties(.mean), [5.5, 7, 6.5])
        XCTAssertEqual(Double(scorer.cosines[0]), 0.5.squareRoot(), accuracy: 1e-7)
    }
}
