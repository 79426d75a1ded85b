import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// Every layer and loss on the training paths against central finite differences, in Double.
/// Each test reduces the output to a scalar `L = sum(r * y)` with fixed random `r` (so
/// `dy = r`) and checks the largest element-wise relative error
/// `|analytic - numeric| / max(|analytic|, |numeric|, 1e-6)` against 1e-3; the figures are
/// printed (`gradcheck ...`) for docs/training.md.
final class TrainingGradientTests: XCTestCase {
    var random = SplitMix64(seed: 12345)

    func normals(_ n: Int, scale: Double = 1) -> [Double] { (0..<n).map { _ in random.normal() * scale } }

    func numeric(_ x: [Double], step: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
        var g = [Double](repeating: 0, count: x.count)
        var p = x
        for i in x.indices {
            p[i] = x[i] + step; let a = f(p)
            p[i] = x[i] - step; let b = f(p)
            p[i] = x[i]
            g[i] = (a - b) / (2 * step)
        }
        return g
    }

    @discardableResult
    func check(_ name: String, _ analytic: [Double], _ numeric: [Double], file: StaticString = #filePath, line: UInt = #line) -> Double {
        XCTAssertEqual(analytic.count, numeric.count, name, file: file, line: line)
        var worst = 0.0
        for (a, n) in zip(analytic, numeric) { worst = max(worst, abs(a - n) / max(abs(a), abs(n), 1e-6)) }
        XCTAssertTrue(numeric.contains { abs($0) > 1e-4 }, "\(name): the numeric gradient is all zero, the check is vacuous", file: file, line: line)
        XCTAssertLessThan(worst, 1e-3, "\(name): relative error \(worst)", file: file, line: line)
        print(String(format: "gradcheck %@: max relative error %.2e", name, worst))
        return worst
    }

    /// A bias followed by batch norm has gradient exactly zero (the batch mean removes it):
    /// both gradients must vanish.
    func checkVanishing(_ name: String, _ analytic: [Double], _ numeric: [Double], file: StaticString = #filePath, line: UInt = #line) {
        let worst = (analytic + numeric).map(abs).max() ?? 0
        XCTAssertLessThan(worst, 1e-8, "\(name): gradient should vanish, largest \(worst)", file: file, line: line)
        print(String(format: "gradcheck %@: vanishes (largest |gradient| %.1e)", name, worst))
    }

    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    func testDenseLayer() {
        for withBias in [true, false] {
            let n = 4, i = 5, o = 3
            let x = normals(n * i), r = normals(n * o)
            let layer = DenseLayer<Double>(weight: normals(o * i), bias: withBias ? normals(o) : nil, inFeatures: i, outFeatures: o)
            let (dx, g) = layer.backward(x, r, rows: n)
            let tag = withBias ? "Linear(bias)" : "Linear(no bias)"
            check("\(tag) input", dx, numeric(x) { dot(layer.forward($0, rows: n), r) })
            check("\(tag) weight", g.weight, numeric(layer.weight) { w in
                var l = layer; l.weight = w; return dot(l.forward(x, rows: n), r)
            })
            if withBias {
                check("\(tag) bias", g.bias!, numeric(layer.bias!) { b in
                    var l = layer; l.bias = b; return dot(l.forward(x, rows: n), r)
                })
            }
        }
    }

    func testBatchNormTrainingMode() {
        for affine in [true, false] {
            let n = 6, c = 4
            let x = normals(n * c, scale: 2).map { $0 + 1 }, r = normals(n * c)
            var bn = BatchNormLayer<Double>(channels: c, affine: affine)
            if affine { bn.weight = normals(c); bn.bias = normals(c) }
            var probe = bn
            let (_, cache) = probe.forwardTraining(x, rows: n)
            let (dx, g) = bn.backward(r, cache: cache, rows: n)
            func loss(_ layer: BatchNormLayer<Double>, _ input: [Double]) -> Double {
                var l = layer
                return dot(l.forwardTraining(input, rows: n, updateRunning: false).output, r)
            }
            let tag = affine ? "BatchNorm1d(affine)" : "BatchNorm1d(affine=False)"
            check("\(tag) input", dx, numeric(x) { loss(bn, $0) })
            if affine {
                check("\(tag) weight", g.weight!, numeric(bn.weight!) { w in var l = bn; l.weight = w; return loss(l, x) })
                check("\(tag) bias", g.bias!, numeric(bn.bias!) { b in var l = bn; l.bias = b; return loss(l, x) })
            }
        }
    }

    func testReLUAndRowNormalisation() {
        // Inputs kept away from the ReLU kink so the finite difference does not straddle it.
        let x = normals(12).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }, r = normals(12)
        check("ReLU", Elementwise.reluBackward(x, r), numeric(x) { dot(Elementwise.relu($0), r) })
        let (y, norms) = Elementwise.normaliseRows(x, columns: 4)
        check("x/||x||", Elementwise.normaliseRowsBackward(output: y, norms: norms, r, columns: 4),
              numeric(x) { dot(Elementwise.normaliseRows($0, columns: 4).output, r) })
    }

    func testScaleActivations() {
        let x = normals(8).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }, r = normals(8)
        for act in ScaleActivation.allCases {
            let c = 3.0
            let analytic = zip(x, r).map { act.derivative($0, coefficient: c) * $1 }
            check("activation \(act.rawValue)", analytic, numeric(x) { v in dot(v.map { act.forward($0, coefficient: c) }, r) })
        }
    }

    func testPFETail() {
        let x = normals(10, scale: 3), r = normals(10)
        let gamma = 0.7, beta = -1.5
        let g = Elementwise.pfeTailBackward(x, gamma: gamma, beta: beta, r)
        check("log(1e-6+exp(gamma x + beta)) input", g.input, numeric(x) { dot(Elementwise.pfeTail($0, gamma: gamma, beta: beta), r) })
        check("log(1e-6+exp(gamma x + beta)) gamma/beta", [g.gamma, g.beta], numeric([gamma, beta]) {
            dot(Elementwise.pfeTail(x, gamma: $0[0], beta: $0[1]), r)
        })
    }

    func testScaleHeadChain() {
        for batchNorm in [true, false] {
            let n = 6, sizes = [7, 5, 4, 1]
            var head = ScaleHeadModel<Double>(sizes: sizes, batchNorm: batchNorm, activation: .exp, random: &random)
            let x = normals(n * sizes[0]), r = normals(n)
            var probe = head
            let (_, cache) = probe.forwardTraining(x, rows: n)
            let g = head.backward(r, cache: cache, rows: n)
            for i in head.linears.indices {
                check("MLPHead(bn=\(batchNorm)) linear \(i)", g.linears[i], numeric(head.linears[i].weight) { w in
                    var h = head; h.linears[i].weight = w
                    for k in h.norms.indices { h.norms[k].momentum = 0 }
                    return dot(h.forwardTraining(x, rows: n).output, r)
                })
            }
            head.norms = head.norms.map { var b = $0; b.momentum = 0; return b }
        }
    }

    func testPFEHeadChain() {
        let n = 6, f = 8, hidden = 5, out = 4
        var head = PFEHeadModel<Double>(inFeatures: f, hidden: hidden, outFeatures: out, random: &random)
        head.gamma = 0.8; head.beta = -1   // away from the reference's 1e-4 so every path matters
        head.bn1.weight = normals(hidden).map { 1 + 0.3 * $0 }; head.bn1.bias = normals(hidden, scale: 0.3)
        let x = normals(n * f), r = normals(n * out)
        var probe = head
        let (_, cache) = probe.forwardTraining(x, rows: n)
        let g = head.backward(r, cache: cache, rows: n)
        func loss(_ h: PFEHeadModel<Double>) -> Double { var m = h; return dot(m.forwardTraining(x, rows: n).output, r) }
        check("PFEHead fc1.weight", g.fc1.weight, numeric(head.fc1.weight) { var h = head; h.fc1.weight = $0; return loss(h) })
        checkVanishing("PFEHead fc1.bias (before BN)", g.fc1.bias!, numeric(head.fc1.bias!) { var h = head; h.fc1.bias = $0; return loss(h) })
        check("PFEHead bn1.weight", g.bn1.weight!, numeric(head.bn1.weight!) { var h = head; h.bn1.weight = $0; return loss(h) })
        check("PFEHead bn1.bias", g.bn1.bias!, numeric(head.bn1.bias!) { var h = head; h.bn1.bias = $0; return loss(h) })
        check("PFEHead fc2.weight", g.fc2.weight, numeric(head.fc2.weight) { var h = head; h.fc2.weight = $0; return loss(h) })
        checkVanishing("PFEHead fc2.bias (before BN)", g.fc2.bias!, numeric(head.fc2.bias!) { var h = head; h.fc2.bias = $0; return loss(h) })
        check("PFEHead gamma/beta", [g.gamma, g.beta], numeric([head.gamma, head.beta]) {
            var h = head; h.gamma = $0[0]; h.beta = $0[1]; return loss(h)
        })
    }

    func testEmbeddingLayerChain() {
        let n = 5, f = 6, d = 4
        var model = EmbeddingLayerModel<Double>(inFeatures: f, embedding: d, random: &random)
        model.features.bias = normals(d)
        let x = normals(n * f), r = normals(n * d)
        var probe = model
        let (_, cache) = probe.forwardTraining(x, rows: n)
        let g = model.backward(r, cache: cache, rows: n)
        func loss(_ m: EmbeddingLayerModel<Double>) -> Double { var k = m; return dot(k.forwardTraining(x, rows: n).output, r) }
        check("embedding fc.weight", g.fc.weight, numeric(model.fc.weight) { var m = model; m.fc.weight = $0; return loss(m) })
        checkVanishing("embedding fc.bias (before BN)", g.fc.bias!, numeric(model.fc.bias!) { var m = model; m.fc.bias = $0; return loss(m) })
        check("embedding features.bias", g.featuresBias, numeric(model.features.bias!) { var m = model; m.features.bias = $0; return loss(m) })
    }

    func testArcFaceAndArcFaceScale() {
        let n = 5, d = 4, c = 3
        let e = normals(n * d), w = normals(c * d), labels = [0, 2, 1, 2, 0]
        let loss = ArcFaceLoss<Double>(margin: 0.5)
        // ArcFace: s = 64 everywhere; gradients into embeddings and centres.
        let s64 = [Double](repeating: 64, count: n)
        let a = loss.evaluate(embeddings: e, centers: w, labels: labels, scales: s64, dimension: d,
                              embeddingGradient: true, centerGradient: true)
        func value(_ e: [Double], _ w: [Double], _ s: [Double]) -> Double {
            loss.evaluate(embeddings: e, centers: w, labels: labels, scales: s, dimension: d,
                          embeddingGradient: false, centerGradient: false).loss
        }
        check("ArcFace(s=64) embeddings", a.embeddings, numeric(e, step: 1e-6) { value($0, w, s64) })
        check("ArcFace(s=64) centres", a.centers, numeric(w, step: 1e-6) { value(e, $0, s64) })
        // ArcFaceScale: per-image scales, the gradient flows into them (and the centres).
        let scales = normals(n).map { 2 + abs($0) * 3 }
        let b = loss.evaluate(embeddings: e, centers: w, labels: labels, scales: scales, dimension: d,
                              embeddingGradient: true, centerGradient: true)
        check("ArcFaceScale scales", b.scales, numeric(scales) { value(e, w, $0) })
        check("ArcFaceScale centres", b.centers, numeric(w) { value(e, $0, scales) })
        check("ArcFaceScale embeddings", b.embeddings, numeric(e) { value($0, w, scales) })
    }

    func testCosFaceGradients() {
        let n = 5, d = 4, c = 3
        let e = normals(n * d), w = normals(c * d), labels = [1, 2, 0, 2, 1]
        let loss = ArcFaceLoss<Double>(margin: 0.4, kind: .cosface)
        let scales = [Double](repeating: 8, count: n)
        let a = loss.evaluate(embeddings: e, centers: w, labels: labels, scales: scales, dimension: d,
                              embeddingGradient: true, centerGradient: true)
        func value(_ e: [Double], _ w: [Double]) -> Double {
            loss.evaluate(embeddings: e, centers: w, labels: labels, scales: scales, dimension: d,
                          embeddingGradient: false, centerGradient: false).loss
        }
        check("CosFace(s=8) embeddings", a.embeddings, numeric(e, step: 1e-6) { value($0, w) })
        check("CosFace(s=8) centres", a.centers, numeric(w, step: 1e-6) { value(e, $0) })
    }

    func testCosFaceLossByHand() {
        // Centres at 60 and 90 degrees from the embedding: logits s (cos 60 - m) and 0.
        let e: [Double] = [1, 0], w: [Double] = [0.5, 3.0.squareRoot() / 2, 0, 2]
        let r = ArcFaceLoss<Double>(margin: 0.4, kind: .cosface).evaluate(
            embeddings: e, centers: w, labels: [0], scales: [2], dimension: 2, embeddingGradient: false, centerGradient: false)
        let z0 = 2 * (0.5 - 0.4)
        XCTAssertEqual(r.loss, Double.log(Double.exp(z0) + 1) - z0, accuracy: 1e-12)
    }

    func testArcFaceLossByHand() {
        // One row, two classes, unit vectors at 60 and 90 degrees from the embedding:
        // logits s cos(60 + 28.65 deg) and s cos(90 deg) = 0.
        let e: [Double] = [1, 0], w: [Double] = [0.5, 3.0.squareRoot() / 2, 0, 2]
        let r = ArcFaceLoss<Double>(margin: 0.5).evaluate(embeddings: e, centers: w, labels: [0], scales: [2],
                                                           dimension: 2, embeddingGradient: false, centerGradient: false)
        let z0 = 2 * Double.cos(Double.pi / 3 + 0.5)
        XCTAssertEqual(r.loss, Double.log(Double.exp(z0) + 1) - z0, accuracy: 1e-12)
    }

    func testMLSLossAndConstraint() {
        let n = 6, d = 4
        let mu = normals(n * d), labels = [3, 1, 3, 1, 3, 7]
        for k in [d, 1] {
            let logSigma = normals(n * k, scale: 0.5)
            let r = MLSLoss.evaluate(features: mu, logSigma: logSigma, labels: labels, dimension: d)
            XCTAssertEqual(r.pairs, 8)   // 3 x 2 ordered pairs of label 3, 2 of label 1
            check("MLSLoss log_sigma (K=\(k))", r.logSigma, numeric(logSigma) {
                MLSLoss.evaluate(features: mu, logSigma: $0, labels: labels, dimension: d).loss
            })
        }
        // Constraint: log sigma values of one sign (as log sigma^2 ~ -7), none at a kink.
        let logSigma = normals(n * d, scale: 0.7).map { -3 + $0 }
        let c = ProbConstraintLoss.evaluate(logSigma: logSigma, rows: n)
        check("ProbConstraintLoss log_sigma", c.logSigma, numeric(logSigma, step: 1e-7) {
            ProbConstraintLoss.evaluate(logSigma: $0, rows: n).loss
        })
    }

    func testMLSLossByHand() {
        // Two rows of one label, D = 1 after normalisation mu = +1 and -1; sigma^2 = 1 and 3:
        // -MLS = 4 / (1e-10 + 4) + log 4 for both ordered pairs.
        let r = MLSLoss.evaluate(features: [2.0, -5.0], logSigma: [0, Double.log(3)], labels: [9, 9], dimension: 1)
        XCTAssertEqual(r.loss, 4 / (1e-10 + 4) + Double.log(4), accuracy: 1e-12)
        XCTAssertEqual(r.pairs, 2)
    }

    /// Whole trained paths as the trainers compose them: head -> loss.
    func testTrainedPathsEndToEnd() {
        let n = 6, f = 7, d = 4, c = 3
        let labels = [0, 1, 2, 0, 1, 0]
        let x = normals(n * f), e = normals(n * d), w = normals(c * d)
        // Scale head -> ArcFaceScale.
        var scale = ScaleHeadModel<Double>(sizes: [f, 5, 1], activation: .exp, random: &random)
        scale.norms[0].momentum = 0
        let arc = ArcFaceLoss<Double>(margin: 0.5)
        func scaleLoss(_ h: ScaleHeadModel<Double>) -> Double {
            var m = h
            let s = m.forwardTraining(x, rows: n).output
            return arc.evaluate(embeddings: e, centers: w, labels: labels, scales: s, dimension: d,
                                embeddingGradient: false, centerGradient: false).loss
        }
        var probe = scale
        let (s, cache) = probe.forwardTraining(x, rows: n)
        let r = arc.evaluate(embeddings: e, centers: w, labels: labels, scales: s, dimension: d,
                             embeddingGradient: false, centerGradient: false)
        let g = scale.backward(r.scales, cache: cache, rows: n)
        check("path MLPHead -> ArcFaceScale, linear 0", g.linears[0], numeric(scale.linears[0].weight) {
            var h = scale; h.linears[0].weight = $0; return scaleLoss(h)
        })
        // Embedding layer -> ArcFace(s = 64), with the centres.
        var emb = EmbeddingLayerModel<Double>(inFeatures: f, embedding: d, random: &random)
        emb.features.momentum = 0
        let s64 = [Double](repeating: 64, count: n)
        func embLoss(_ m: EmbeddingLayerModel<Double>, _ centers: [Double]) -> Double {
            var k = m
            return arc.evaluate(embeddings: k.forwardTraining(x, rows: n).output, centers: centers, labels: labels,
                                scales: s64, dimension: d, embeddingGradient: false, centerGradient: false).loss
        }
        var probeE = emb
        let (out, ec) = probeE.forwardTraining(x, rows: n)
        let re = arc.evaluate(embeddings: out, centers: w, labels: labels, scales: s64, dimension: d,
                              embeddingGradient: true, centerGradient: true)
        let ge = emb.backward(re.embeddings, cache: ec, rows: n)
        check("path embedding layer -> ArcFace, fc.weight", ge.fc.weight, numeric(emb.fc.weight, step: 1e-6) {
            var m = emb; m.fc.weight = $0; return embLoss(m, w)
        })
        check("path embedding layer -> ArcFace, centres", re.centers, numeric(w, step: 1e-6) { embLoss(emb, $0) })
        // PFE head -> MLS + 0.1 constraint.
        var pfe = PFEHeadModel<Double>(inFeatures: f, hidden: 5, outFeatures: d, random: &random)
        pfe.gamma = 0.5
        pfe.bn1.momentum = 0; pfe.bn2.momentum = 0
        func pfeLoss(_ h: PFEHeadModel<Double>) -> Double {
            var m = h
            let ls = m.forwardTraining(x, rows: n).output
            return MLSLoss.evaluate(features: e, logSigma: ls, labels: labels, dimension: d).loss +
                0.1 * ProbConstraintLoss.evaluate(logSigma: ls, rows: n).loss
        }
        var probeP = pfe
        let (ls, pc) = probeP.forwardTraining(x, rows: n)
        let mls = MLSLoss.evaluate(features: e, logSigma: ls, labels: labels, dimension: d)
        let con = ProbConstraintLoss.evaluate(logSigma: ls, rows: n)
        let gp = pfe.backward(zip(mls.logSigma, con.logSigma).map { $0 + 0.1 * $1 }, cache: pc, rows: n)
        check("path PFEHead -> MLS + 0.1 constraint, fc1.weight", gp.fc1.weight, numeric(pfe.fc1.weight) {
            var h = pfe; h.fc1.weight = $0; return pfeLoss(h)
        })
        check("path PFEHead -> MLS + 0.1 constraint, gamma/beta", [gp.gamma, gp.beta], numeric([pfe.gamma, pfe.beta]) {
            var h = pfe; h.gamma = $0[0]; h.beta = $0[1]; return pfeLoss(h)
        })
    }
}
