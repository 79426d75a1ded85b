import Foundation
import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// The losses against PyTorch (float64) on the committed fixtures of
/// tools/parity/loss_fixtures.py (Tests/BackboneTests/Fixtures/losses): loss values and
/// autograd gradients, computed in Double here; largest relative difference 1e-9 allowed.
final class TrainingLossFixtureTests: XCTestCase {
    static let directory = Fixtures.committed.appendingPathComponent("losses")

    struct Cases<C: Decodable>: Decodable { let cases: [C] }
    struct Param: Decodable { let shape: [Int]; let values: [Double]; let grad: [Double] }

    func load<C: Decodable>(_ name: String, as: C.Type) throws -> [C] {
        try JSONDecoder().decode(Cases<C>.self, from: Data(contentsOf: Self.directory.appendingPathComponent(name))).cases
    }

    func assertClose(_ a: [Double], _ b: [Double], _ what: String, tolerance: Double = 1e-9, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        var worst = 0.0
        for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / max(abs(x), abs(y), 1e-12)) }
        XCTAssertLessThan(worst, tolerance, "\(what): relative difference \(worst)", file: file, line: line)
        print(String(format: "torch fixture %@: max relative difference %.1e over %d values", what, worst, a.count))
    }

    /// `[D, C]` (the reference's AngleLinear weight) to `[C, D]` and back.
    func transpose(_ x: [Double], rows: Int, columns: Int) -> [Double] {
        (0..<(rows * columns)).map { x[($0 % rows) * columns + $0 / rows] }
    }

    struct ProbCase: Decodable {
        let rows: Int, dimension: Int, width: Int, labels: [Int]
        let mu: [Double], log_sigma: [Double]
        let loss: Double, mls: Double, constraint: Double, triplet: Double, grad_log_sigma: [Double]
    }

    func testProbLossMatchesTorch() throws {
        let cases = try load("prob.json", as: ProbCase.self)
        XCTAssertEqual(cases.map(\.width), [5, 1])
        for c in cases {
            let r = ProbLoss().evaluate(features: c.mu, logSigma: c.log_sigma, labels: c.labels, dimension: c.dimension)
            assertClose([r.loss, r.mls, r.constraint, r.triplet], [c.loss, c.mls, c.constraint, c.triplet], "ProbLoss K=\(c.width) value, MLS, constraint, triplet")
            assertClose(r.logSigma, c.grad_log_sigma, "ProbLoss K=\(c.width) d/d log_sigma")
        }
    }

    struct AngleCase: Decodable {
        let rows: Int, dimension: Int, classes: Int, m: Int, iteration: Int, lambda: Double, k_values: [Int], labels: [Int]
        let x: [Double], weight_dc: [Double], loss: Double, grad_x: [Double], grad_weight_dc: [Double]
    }

    func testAngleLossMatchesTorch() throws {
        let cases = try load("angle.json", as: AngleCase.self)
        XCTAssertEqual(cases.first?.k_values, [0, 1, 2, 3], "the fixture exercises every branch k of phi")
        for c in cases {
            XCTAssertEqual(AngleLoss<Double>.lambda(iteration: c.iteration), c.lambda, accuracy: 1e-12)
            let centers = transpose(c.weight_dc, rows: c.dimension, columns: c.classes)
            let r = AngleLoss<Double>(m: c.m).evaluate(embeddings: c.x, centers: centers, labels: c.labels,
                                                       dimension: c.dimension, iteration: c.iteration)
            let tag = "AngleLoss m=\(c.m) it=\(c.iteration)"
            assertClose([r.loss], [c.loss], "\(tag) value")
            assertClose(r.embeddings, c.grad_x, "\(tag) d/dx")
            assertClose(transpose(r.centers, rows: c.classes, columns: c.dimension), c.grad_weight_dc, "\(tag) d/d weight")
        }
    }

    struct PairCase: Decodable {
        let kind: String, pairs: Int, dimension: Int, labels: [Int], left: [Double], right: [Double]
        let params: [String: Param], logits: [Double], loss: Double
    }

    /// A training-side model holding the fixture's parameters.
    func model(_ c: PairCase) -> PairClassifierModel<Double> {
        let kind: PairClassifierModel<Double>.Kind = c.kind == "smart_cosine_nobias" ? .smartCosineInitialized
            : PairClassifierModel<Double>.Kind(rawValue: c.kind)!
        var random = SplitMix64(seed: 0)
        var m = PairClassifierModel<Double>(kind: kind, dimension: c.dimension, hidden: [5, 3], random: &random)
        if kind == .bilinear {
            m.bilinearWeight = c.params["fc.weight"]!.values
            m.bilinearBias = c.params["fc.bias"]!.values
        }
        for i in m.layers.indices {
            m.layers[i].weight = c.params["\(m.prefix(i)).weight"]!.values
            m.layers[i].bias = c.params["\(m.prefix(i)).bias"]?.values
        }
        return m
    }

    func testPairClassifierLossesMatchTorch() throws {
        let cases = try load("pair.json", as: PairCase.self)
        XCTAssertEqual(cases.map(\.kind), ["smart_cosine", "smart_cosine_nobias", "bilinear", "mlp"])
        for c in cases {
            let m = model(c)
            let (z, cache) = m.forward(left: c.left, right: c.right, pairs: c.pairs)
            assertClose(z, c.logits, "\(c.kind) logits")
            let ce = PairCrossEntropy.evaluate(logits: z, labels: c.labels)
            assertClose([ce.loss], [c.loss], "\(c.kind) cross-entropy")
            let g = m.backward(ce.logits, cache: cache, pairs: c.pairs)
            var mine: [String: [Double]] = [:]
            if m.kind == .bilinear { mine["fc.weight"] = g.bilinearWeight; mine["fc.bias"] = g.bilinearBias }
            for i in m.layers.indices {
                mine["\(m.prefix(i)).weight"] = g.layers[i].weight
                if let b = g.layers[i].bias { mine["\(m.prefix(i)).bias"] = b }
            }
            XCTAssertEqual(Set(mine.keys), Set(c.params.keys), c.kind)
            for (name, p) in c.params { assertClose(mine[name] ?? [], p.grad, "\(c.kind) d/d \(name)") }
        }
    }

    struct HeadCase: Decodable {
        let kind: String, rows: Int, features: Int, hidden: Int, outputs: Int, dimension: Int, labels: [Int]
        let bottleneck: [Double], mu: [Double], log_sigma: [Double], loss: Double, params: [String: Param]
    }

    func testHeadsInTrainingModeWithProbLossMatchTorch() throws {
        let cases = try load("heads.json", as: HeadCase.self)
        XCTAssertEqual(cases.map(\.kind), ["pfe_adjustable", "prob"])
        for c in cases {
            let variant: PFEHeadModel<Double>.Variant = c.kind == "prob" ? .prob : .adjustable
            var random = SplitMix64(seed: 0)
            var head = PFEHeadModel<Double>(inFeatures: c.features, hidden: c.hidden, outFeatures: c.outputs, variant: variant, random: &random)
            let (n1, n2) = head.names
            head.fc1.weight = c.params[n1]!.values
            head.fc2.weight = c.params[n2]!.values
            head.fc1.bias = c.params["fc1.bias"]?.values
            head.fc2.bias = c.params["fc2.bias"]?.values
            head.bn1.weight = c.params["bn1.weight"]!.values
            head.bn1.bias = c.params["bn1.bias"]!.values
            head.gamma = c.params["gamma"]!.values[0]
            head.beta = c.params["beta"]!.values[0]
            var probe = head
            let (ls, cache) = probe.forwardTraining(c.bottleneck, rows: c.rows)
            assertClose(ls, c.log_sigma, "\(c.kind) log sigma^2 (training mode)")
            let r = ProbLoss().evaluate(features: c.mu, logSigma: ls, labels: c.labels, dimension: c.dimension)
            assertClose([r.loss], [c.loss], "\(c.kind) ProbLoss")
            let g = head.backward(r.logSigma, cache: cache, rows: c.rows)
            var mine: [String: [Double]] = [n1: g.fc1.weight, n2: g.fc2.weight, "bn1.weight": g.bn1.weight!,
                                            "bn1.bias": g.bn1.bias!, "gamma": [g.gamma], "beta": [g.beta]]
            if let b = g.fc1.bias { mine["fc1.bias"] = b }
            if let b = g.fc2.bias { mine["fc2.bias"] = b }
            XCTAssertEqual(Set(mine.keys), Set(c.params.keys), c.kind)
            for (name, p) in c.params {
                // Biases before batch norm: both gradients vanish up to rounding.
                if name.hasSuffix(".bias") && name.hasPrefix("fc") {
                    XCTAssertLessThan((mine[name]! + p.grad).map(abs).max()!, 1e-12, "\(c.kind) \(name)")
                } else {
                    assertClose(mine[name]!, p.grad, "\(c.kind) d/d \(name)", tolerance: 1e-8)
                }
            }
        }
    }
}
