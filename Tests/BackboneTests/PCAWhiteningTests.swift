import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// PCA whitening: whitened training rows have identity covariance, known variances are
/// recovered, and a layer folded back onto raw inputs computes the same function.
final class PCAWhiteningTests: XCTestCase {
    /// Rows `z = mean + sum_i s_i g_i r_i` along a random orthonormal basis `r_i` with
    /// standard deviations `s`, so the population covariance's spectrum is `s^2`.
    func data(rows n: Int, scales s: [Double], seed: UInt64) -> (values: [Float], width: Int) {
        var random = SplitMix64(seed: seed)
        let f = s.count
        // Gram-Schmidt on Gaussian vectors gives a random orthonormal basis.
        var basis: [[Double]] = []
        while basis.count < f {
            var v = (0..<f).map { _ in random.normal() }
            for b in basis { let p = zip(v, b).reduce(0) { $0 + $1.0 * $1.1 }; v = zip(v, b).map { $0 - p * $1 } }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            basis.append(v.map { $0 / norm })
        }
        var out: [Float] = []
        for _ in 0..<n {
            var z = (0..<f).map { Double($0) * 0.5 }
            for (i, b) in basis.enumerated() { let g = random.normal() * s[i]; z = zip(z, b).map { $0 + g * $1 } }
            out += z.map { Float($0) }
        }
        return (out, f)
    }

    func covariance(_ x: [Float], rows n: Int, width k: Int) -> [[Double]] {
        var mean = [Double](repeating: 0, count: k)
        for r in 0..<n { for j in 0..<k { mean[j] += Double(x[r * k + j]) / Double(n) } }
        var c = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for r in 0..<n {
            for a in 0..<k { for b in 0..<k { c[a][b] += (Double(x[r * k + a]) - mean[a]) * (Double(x[r * k + b]) - mean[b]) / Double(n) } }
        }
        return c
    }

    func testWhitenedRowsHaveIdentityCovarianceAndVariancesAreRecovered() throws {
        let scales = [5.0, 3, 2, 1, 0.5, 0.25, 0.1, 0.05]
        let (z, f) = data(rows: 400, scales: scales, seed: 1)
        let w = try PCAWhitening.fit(features: z, rows: 400, width: f, components: 4)
        XCTAssertEqual(w.components, 4)
        let x = w.apply(z, rows: 400)
        let c = covariance(x, rows: 400, width: 4)
        for a in 0..<4 { for b in 0..<4 { XCTAssertEqual(c[a][b], a == b ? 1 : 0, accuracy: 1e-4, "cov[\(a)][\(b)]") } }
        // The kept variances are the sample covariance's top eigenvalues: close to scales^2.
        for (v, s) in zip(w.variances, scales) { XCTAssertEqual(v, s * s, accuracy: 0.2 * s * s) }
        XCTAssertEqual(w.variances, w.variances.sorted(by: >))
    }

    func testSubsampledFitStillWhitens() throws {
        let (z, f) = data(rows: 600, scales: [4, 2, 1, 0.5], seed: 2)
        let w = try PCAWhitening.fit(features: z, rows: 600, width: f, components: 4, maxRows: 300)
        let c = covariance(w.apply(z, rows: 600), rows: 600, width: 4)
        for a in 0..<4 { XCTAssertEqual(c[a][a], 1, accuracy: 0.25) }
    }

    func testRankDeficientDirectionsAreDropped() throws {
        // Width 6 but only 3 independent directions: the other three have zero variance.
        let (z3, _) = data(rows: 100, scales: [3, 2, 1], seed: 3)
        var z: [Float] = []
        for r in 0..<100 { let row = Array(z3[(r * 3)..<(r * 3 + 3)]); z += row + row.map { -$0 } }
        let w = try PCAWhitening.fit(features: z, rows: 100, width: 6, components: 6)
        XCTAssertEqual(w.components, 3)
    }

    func testFoldedLayerMatchesLayerOnWhitenedInputs() throws {
        let (z, f) = data(rows: 50, scales: [3, 2, 1, 0.5, 0.2, 0.1], seed: 4)
        let w = try PCAWhitening.fit(features: z, rows: 50, width: f, components: 5)
        var random = SplitMix64(seed: 5)
        let layer = DenseLayer<Float>(inFeatures: w.components, outFeatures: 3, bias: true, random: &random)
        let expected = layer.forward(w.apply(z, rows: 50), rows: 50)
        let folded = w.fold(layer)
        XCTAssertEqual(folded.inFeatures, f)
        let got = folded.forward(z, rows: 50)
        for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b))) }
    }
}
