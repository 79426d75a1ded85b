import Checkpoint
import XCTest
@testable import Backbone

/// Pair classifiers against PyTorch (tools/parity/classifier_fixtures.py, random weights):
/// `p(same)` and `1 - max p` on 300 unit-norm pairs within 1e-6, including saturated pairs. Swift
/// forms the float32 logits in PyTorch's CPU order of operations (PairKernels.swift; docs/strategies.md,
/// "Pair classifiers", Numerics); accumulating them in double instead misses PyTorch's float32 rounding
/// of logits up to ~21 (1.43e-6 Bilinear, 1.01e-6 SmartCosine without bias).
final class PairClassifierParityTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let checkpoint: String
        let sectioned: Bool
        let same: Fixtures.Array
        let uncertainty: Fixtures.Array
    }
    struct Manifest: Decodable {
        let pairs: Int
        let dimension: Int
        let left: Fixtures.Array
        let right: Fixtures.Array
        let cases: [Case]
    }

    let fixtures = Fixtures(directory: Fixtures.committed.appendingPathComponent("pair_classifier"))

    func testMatchesPyTorch() throws {
        let m = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: fixtures.directory.appendingPathComponent("manifest.json")))
        let left = try fixtures.floats(m.left), right = try fixtures.floats(m.right)
        XCTAssertEqual(m.cases.map(\.name), ["smart_cosine", "smart_cosine_nobias", "bilinear", "mlp"])
        let kinds = ["smart_cosine": "smart_cosine", "smart_cosine_nobias": "smart_cosine", "bilinear": "bilinear", "mlp": "mlp"]
        for c in m.cases {
            let classifier = try PairClassifier(weights: Checkpoint.load(path: fixtures.path(c.checkpoint)))
            XCTAssertEqual(classifier.kind, kinds[c.name], c.name)
            XCTAssertEqual(classifier.dimension, m.dimension, c.name)
            let p = classifier.probabilities(left: left, right: right, pairs: m.pairs)
            let same = try fixtures.floats(c.same), unc = try fixtures.floats(c.uncertainty)
            var worst: Float = 0
            for i in 0..<m.pairs {
                worst = max(worst, abs(p.same[i] - same[i]), abs(p.uncertainty[i] - unc[i]))
            }
            XCTAssertLessThanOrEqual(worst, 1e-6, c.name)
            print("pair classifier parity \(c.name): worst |Swift - PyTorch| = \(worst)")
            XCTAssertEqual(zip(p.same, same).filter { $0.1 == 1 && $0.0 != 1 }.count, 0, "\(c.name): saturated p(same) must be exactly 1")
        }
    }

    /// Hand calculation: z = (0, log 3) gives p = (1/4, 3/4), uncertainty 1/4; z = (40, 0) gives p1 = e^-40, uncertainty 0.
    func testProbabilitiesByHand() {
        let p = PairProbabilities(logits: [0, Float(log(3.0)), 40, 0])
        XCTAssertEqual(p.same[0], 0.75, accuracy: 1e-7)
        XCTAssertEqual(p.uncertainty[0], 0.25, accuracy: 1e-7)
        XCTAssertEqual(p.same[1], Float(exp(-40.0)), accuracy: 1e-19, "p1 = e^-40 stays representable")
        XCTAssertEqual(p.uncertainty[1], 0, "1 - max p saturates to exactly 0 in float32")
    }

    func testErrorsNameTheKey() {
        var w = WeightSet(source: "x.pth")
        w.set("pair_classifier.fc1.weight", Tensor(shape: [3, 4], values: [Float](repeating: 0, count: 12)))
        XCTAssertThrowsError(try PairClassifier(weights: w)) { e in
            XCTAssertTrue("\(e)".contains("pair_classifier.fc1.weight"), "\(e)")
        }
        var b = WeightSet(source: "y.pth")
        b.set("fc.weight", Tensor(shape: [2, 4, 3], values: [Float](repeating: 0, count: 24)))
        b.set("fc.bias", Tensor(shape: [2], values: [0, 0]))
        XCTAssertThrowsError(try PairClassifier(weights: b)) { e in XCTAssertTrue("\(e)".contains("fc.weight"), "\(e)") }
        var n = WeightSet(source: "z.pth")
        n.set("head.weight", Tensor(shape: [2], values: [0, 0]))
        XCTAssertThrowsError(try PairClassifier(weights: n)) { e in XCTAssertTrue("\(e)".contains("fc1.weight"), "\(e)") }
    }
}
