import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// Finite-difference checks of the losses and models added beside ArcFace / MLS
/// (docs/training.md, Losses): ProbLoss, AngleLoss, the pair classifiers with cross-entropy,
/// ProbHead and PFEHeadAdjustable. Same scheme and tolerance as the rest of `TrainingGradientTests`.
extension TrainingGradientTests {
    func testProbLossGradients() {
        let n = 7, d = 4
        let labels = [0, 0, 1, 1, 1, 2, 2]
        let e = normals(n * d, scale: 0.7)
        for k in [d, 1] {
            // log sigma^2 near -1: hinge arguments of both signs, away from the kink.
            let ls = normals(n * k, scale: 0.5).map { $0 - 1 }
            let loss = ProbLoss()
            let r = loss.evaluate(features: e, logSigma: ls, labels: labels, dimension: d)
            XCTAssertGreaterThan(r.triplet, 0)
            check("ProbLoss (K = \(k))", r.logSigma, numeric(ls) {
                loss.evaluate(features: e, logSigma: $0, labels: labels, dimension: d).loss
            })
            let t = ProbTripletLoss.evaluate(features: e, logSigma: ls, labels: labels, dimension: d, margin: 3)
            XCTAssertEqual(t.entries, n * (n - 1) * d)
            check("ProbTripletLoss (K = \(k))", t.logSigma, numeric(ls) {
                ProbTripletLoss.evaluate(features: e, logSigma: $0, labels: labels, dimension: d, margin: 3).loss
            })
        }
    }

    func testAngleLossGradients() {
        let n = 6, d = 5, c = 4
        let labels = [0, 1, 2, 3, 1, 2]
        let x = normals(n * d, scale: 2), w = normals(c * d)
        for (m, it) in [(4, 1), (4, 5000), (3, 100)] {
            let loss = AngleLoss<Double>(m: m)
            let r = loss.evaluate(embeddings: x, centers: w, labels: labels, dimension: d, iteration: it)
            check("AngleLoss m = \(m), it = \(it), embeddings", r.embeddings, numeric(x) {
                loss.evaluate(embeddings: $0, centers: w, labels: labels, dimension: d, iteration: it).loss
            })
            check("AngleLoss m = \(m), it = \(it), centres", r.centers, numeric(w) {
                loss.evaluate(embeddings: x, centers: $0, labels: labels, dimension: d, iteration: it).loss
            })
        }
    }

    func testAngleLossLambdaSchedule() {
        // max(5, 1500 / (1 + 0.1 it)): 1500 / 1.1 at the first batch, the floor 5 from it = 2990 on.
        XCTAssertEqual(AngleLoss<Double>.lambda(iteration: 1), 1500 / 1.1, accuracy: 1e-9)
        XCTAssertEqual(AngleLoss<Double>.lambda(iteration: 10), 750, accuracy: 1e-9)
        XCTAssertEqual(AngleLoss<Double>.lambda(iteration: 2989), 1500 / 299.9, accuracy: 1e-9)
        XCTAssertEqual(AngleLoss<Double>.lambda(iteration: 2990), 5)
        XCTAssertEqual(AngleLoss<Double>.lambda(iteration: 100_000), 5)
    }

    func testPairClassifierGradients() {
        let p = 6, d = 4
        let left = normals(p * d), right = normals(p * d), labels = [1, 0, 0, 1, 1, 0]
        for kind in PairClassifierModel<Double>.Kind.allCases {
            var model = PairClassifierModel<Double>(kind: kind, dimension: d, hidden: [5, 3], random: &random)
            if kind == .smartCosineInitialized { model.layers[0].weight = normals(2 * d) }   // off the symmetric start
            func loss(_ m: PairClassifierModel<Double>) -> Double {
                PairCrossEntropy.evaluate(logits: m.forward(left: left, right: right, pairs: p).logits, labels: labels).loss
            }
            let (z, cache) = model.forward(left: left, right: right, pairs: p)
            let g = model.backward(PairCrossEntropy.evaluate(logits: z, labels: labels).logits, cache: cache, pairs: p)
            if kind == .bilinear {
                check("Bilinear fc.weight", g.bilinearWeight, numeric(model.bilinearWeight) { var m = model; m.bilinearWeight = $0; return loss(m) })
                check("Bilinear fc.bias", g.bilinearBias, numeric(model.bilinearBias) { var m = model; m.bilinearBias = $0; return loss(m) })
            }
            for i in model.layers.indices {
                check("\(kind.rawValue) \(model.prefix(i)).weight", g.layers[i].weight, numeric(model.layers[i].weight) {
                    var m = model; m.layers[i].weight = $0; return loss(m)
                })
                if let b = model.layers[i].bias {
                    check("\(kind.rawValue) \(model.prefix(i)).bias", g.layers[i].bias!, numeric(b) {
                        var m = model; m.layers[i].bias = $0; return loss(m)
                    })
                }
            }
        }
    }

    func testProbHeadAndAdjustableHeadChains() {
        let n = 8, f = 6, d = 4
        let labels = [0, 0, 0, 1, 1, 2, 2, 2]
        let x = normals(n * f), e = normals(n * d, scale: 0.7)
        for variant in [PFEHeadModel<Double>.Variant.prob, .adjustable] {
            var head = PFEHeadModel<Double>(inFeatures: f, hidden: 5, outFeatures: d, variant: variant, random: &random)
            head.gamma = 0.8; head.beta = -1
            head.bn1.weight = normals(head.bn1.channels).map { 1 + 0.3 * $0 }
            head.bn1.bias = normals(head.bn1.channels, scale: 0.3)
            head.bn1.momentum = 0; head.bn2.momentum = 0
            XCTAssertEqual(head.outFeatures, variant == .prob ? 1 : d)
            func loss(_ h: PFEHeadModel<Double>) -> Double {
                var m = h
                return ProbLoss().evaluate(features: e, logSigma: m.forwardTraining(x, rows: n).output, labels: labels, dimension: d).loss
            }
            var probe = head
            let (ls, cache) = probe.forwardTraining(x, rows: n)
            let g = head.backward(ProbLoss().evaluate(features: e, logSigma: ls, labels: labels, dimension: d).logSigma,
                                  cache: cache, rows: n)
            let tag = variant.rawValue
            check("\(tag) -> ProbLoss, fc1", g.fc1.weight, numeric(head.fc1.weight) { var h = head; h.fc1.weight = $0; return loss(h) })
            check("\(tag) -> ProbLoss, fc2", g.fc2.weight, numeric(head.fc2.weight) { var h = head; h.fc2.weight = $0; return loss(h) })
            check("\(tag) -> ProbLoss, bn1.weight", g.bn1.weight!, numeric(head.bn1.weight!) { var h = head; h.bn1.weight = $0; return loss(h) })
            check("\(tag) -> ProbLoss, gamma/beta", [g.gamma, g.beta], numeric([head.gamma, head.beta]) {
                var h = head; h.gamma = $0[0]; h.beta = $0[1]; return loss(h)
            })
            if variant == .adjustable {
                XCTAssertNil(g.fc1.bias)
                // Only the directions of the rows matter: a gradient orthogonal to each row.
                for r in 0..<head.fc1.outFeatures {
                    let dotRow = (0..<f).reduce(0.0) { $0 + g.fc1.weight[r * f + $1] * head.fc1.weight[r * f + $1] }
                    XCTAssertEqual(dotRow, 0, accuracy: 1e-12)
                }
            } else {
                checkVanishing("prob fc1.bias (before BN)", g.fc1.bias!, numeric(head.fc1.bias!) { var h = head; h.fc1.bias = $0; return loss(h) })
            }
        }
    }
}
