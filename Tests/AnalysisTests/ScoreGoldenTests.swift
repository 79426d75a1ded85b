import XCTest
@testable import Analysis

/// Every section 4 score and section 5 pair uncertainty against numpy (Fixtures/scores.json),
/// for a scalar (k = 1) and a vector (k = 512) strategy. Scores are float32, so they agree to
/// float32 rounding of the magnitudes involved.
final class ScoreGoldenTests: XCTestCase {
    private func scorer(_ c: JSON) throws -> PairScorer {
        let d = c["dimension"].int, k = c["width"].int
        let e = try RowMatrix(values: c["embeddings"].floats, rows: c["embeddings"].array.count / d, columns: d)
        let u = try RowMatrix(values: c["uncertainty"].floats, rows: e.rows, columns: k)
        let pairs = try PairIndex(left: c["left"].int32s, right: c["right"].int32s, labels: c["labels"].bools)
        return try PairScorer(embeddings: e, uncertainty: u, pairs: pairs)
    }

    func testBiasFromValidationPairs() throws {
        for c in try Fixture.load("scores.json")["cases"].array {
            let s = try scorer(c)
            let val = try PairScorer(embeddings: s.embeddings, uncertainty: nil,
                                     pairs: PairIndex(left: c["val_left"].int32s, right: c["val_right"].int32s,
                                                      labels: c["val_labels"].bools))
            let b = try cosineBias(cosines: val.cosines, labels: val.pairs.labels)
            XCTAssertEqual(b, c["bias"].double, accuracy: 1e-6)
        }
    }

    func testEveryScoreEqualsNumpy() throws {
        for c in try Fixture.load("scores.json")["cases"].array {
            let s = try scorer(c)
            s.bias = c["bias"].double
            let expected = c["scores"].object
            var checked = 0
            for distance in PairDistance.allCases {
                guard let want = expected[distance.description]?.doubles else {
                    // scale-* needs k = 1: the vector case must refuse it
                    XCTAssertThrowsError(try s.scores(distance), "\(distance)")
                    continue
                }
                let got = try s.scores(distance)
                // MLS and euc sum 512 terms of size ~1: allow float32 rounding of the sum
                let ulps: Double = distance == .mls || distance == .euc ? 64 : 16
                for i in got.indices {
                    XCTAssertTrue(closeFloat(Double(got[i]), want[i], ulps: ulps),
                                  "\(c["name"].string) \(distance) pair \(i): \(got[i]) vs \(want[i])")
                }
                checked += 1
            }
            XCTAssertEqual(checked, expected.count)
        }
    }

    func testEveryPairUncertaintyEqualsNumpy() throws {
        for c in try Fixture.load("scores.json")["cases"].array {
            let s = try scorer(c)
            let expected = c["uncertainties"].object
            // `classifier` comes from a pair classifier, checked by StagesTests.ClassifierMetricsTests
            let kinds = PairUncertainty.allCases.filter { $0 != .classifier }
            XCTAssertEqual(Set(expected.keys), Set(kinds.map(\.rawValue)))
            for kind in kinds {
                let got = try s.uncertainties(kind), want = expected[kind.rawValue]!.doubles
                for i in got.indices {
                    let ok = closeFloat(Double(got[i]), want[i], ulps: 16)
                        || abs(Double(got[i]) - want[i]) <= 16 * Double(Float.ulpOfOne) * abs(want[i])
                    XCTAssertTrue(ok, "\(c["name"].string) \(kind) pair \(i): \(got[i]) vs \(want[i])")
                }
            }
        }
    }

    func testMetricNamesParseAndListValidOnes() throws {
        let m = try PairMetric(name: "scale-mul-biased-cosine_mean")
        XCTAssertEqual(m.distance, .scaled(.scale, .mul, .biasedCosine))
        XCTAssertEqual(m.uncertainty, .mean)
        XCTAssertEqual(try PairMetric(name: "MLS_harmonic-harmonic").description, "MLS_harmonic-harmonic")
        XCTAssertThrowsError(try PairMetric(name: "cosine_avg")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'avg'") && text.contains("harmonic-harmonic") && text.contains("cosine-analytic"), text)
        }
        XCTAssertThrowsError(try PairMetric(name: "cosinus_mean")) { error in
            XCTAssertTrue("\(error)".contains("pfe-sqrt-harmonic-centered-cosine"), "\(error)")
        }
        XCTAssertThrowsError(try PairMetric(name: "cosine"))
    }

    func testBiasedCosineWithoutBiasIsAClearError() throws {
        let c = try Fixture.load("scores.json")["cases"].array[0]
        XCTAssertThrowsError(try scorer(c).scores(.biasedCosine)) { error in
            XCTAssertTrue("\(error)".contains("the bias b (from validation pairs"), "\(error)")
        }
    }
}
