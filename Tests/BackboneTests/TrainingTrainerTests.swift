import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// The trainers on a small synthetic problem whose answer is known: images of C identities
/// whose embeddings are the identity's direction plus noise of a per-image level q, and whose
/// "bottleneck features" carry q. A working scale head must give noisy images smaller scales,
/// a working PFE head larger sigma^2, and the embedding layer must learn to separate identities.
final class TrainingTrainerTests: XCTestCase {
    struct Problem {
        var features: [Float] = []
        var embeddings: [Float] = []
        var labels: [Int] = []
        var noise: [Double] = []
        let f = 24, d = 16, classes = 8
    }

    static func problem(perClass: Int = 24, maxNoise: Double = 1.6, seed: UInt64 = 1) -> Problem {
        var p = Problem()
        var random = SplitMix64(seed: seed)
        let directions = (0..<(p.classes * p.d)).map { _ in random.normal() }
        for c in 0..<p.classes {
            for _ in 0..<perClass {
                let q = random.uniform() * maxNoise
                var e = (0..<p.d).map { directions[c * p.d + $0] + q * random.normal() }
                let norm = e.reduce(0) { $0 + $1 * $1 }.squareRoot()
                e = e.map { $0 / norm }
                p.embeddings += e.map { Float($0) }
                p.features += e.map { Float($0 * 2) } + [Float(q * 2 + 0.05 * random.normal())] +
                    (0..<(p.f - p.d - 1)).map { _ in Float(random.normal()) }
                p.labels.append(c)
                p.noise.append(q)
            }
        }
        return p
    }

    /// Spearman rank correlation (no ties in continuous data).
    static func spearman(_ a: [Double], _ b: [Double]) -> Double {
        func ranks(_ x: [Double]) -> [Double] {
            var r = [Double](repeating: 0, count: x.count)
            for (rank, i) in x.indices.sorted(by: { x[$0] < x[$1] }).enumerated() { r[i] = Double(rank) }
            return r
        }
        let ra = ranks(a), rb = ranks(b), n = Double(a.count)
        let d2 = zip(ra, rb).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return 1 - 6 * d2 / (n * (n * n - 1))
    }

    func testScaleHeadLearnsSmallerScalesForNoisyImages() {
        let p = Self.problem()
        let schedule = TrainingSchedule(epochs: 8, batchSize: 32, learningRate: 0.05, seed: 5)
        let fitted = CenterFitter.fit(embeddings: p.embeddings, dimension: p.d, labels: p.labels, classes: p.classes,
                                      schedule: TrainingSchedule(epochs: 3, batchSize: 32, learningRate: 0.01, seed: 5))
        XCTAssertLessThan(fitted.lossPerEpoch.last!, fitted.lossPerEpoch.first! + 1e-9)
        var options = ScaleHeadTrainer.Options(schedule: schedule)
        options.hidden = [16]
        let trained = ScaleHeadTrainer.train(features: p.features, featureWidth: p.f, embeddings: p.embeddings,
                                             dimension: p.d, labels: p.labels, centers: fitted.centers, options: options)
        XCTAssertEqual(trained.outputs.count, p.labels.count)
        XCTAssertLessThan(trained.lossPerEpoch.last!, trained.lossPerEpoch.first!, "\(trained.lossPerEpoch)")
        let rho = Self.spearman(trained.outputs.map(Double.init), p.noise)
        print("scale head: loss \(trained.lossPerEpoch.first!) -> \(trained.lossPerEpoch.last!), spearman(scale, noise) = \(rho)")
        XCTAssertLessThan(rho, -0.5)
        XCTAssertEqual(trained.weights.names, ["mlp.0.weight", "mlp.1.running_mean", "mlp.1.running_var",
                                               "mlp.1.num_batches_tracked", "mlp.3.weight"])
        XCTAssertEqual(trained.weights["mlp.1.num_batches_tracked"]?.values, [Float(8 * 6)])   // 192 rows / 32

        // Same seed, same result; another seed, another result.
        let again = ScaleHeadTrainer.train(features: p.features, featureWidth: p.f, embeddings: p.embeddings,
                                           dimension: p.d, labels: p.labels, centers: fitted.centers, options: options)
        XCTAssertEqual(again.weights["mlp.0.weight"], trained.weights["mlp.0.weight"])
        XCTAssertEqual(again.lossPerEpoch, trained.lossPerEpoch)
        options.schedule.seed = 6
        let other = ScaleHeadTrainer.train(features: p.features, featureWidth: p.f, embeddings: p.embeddings,
                                           dimension: p.d, labels: p.labels, centers: fitted.centers, options: options)
        XCTAssertNotEqual(other.weights["mlp.0.weight"], trained.weights["mlp.0.weight"])
    }

    func testPFEHeadLearnsLargerSigmaForNoisyImages() {
        let p = Self.problem()
        var options = PFEHeadTrainer.Options(schedule: TrainingSchedule(epochs: 20, batchSize: 32, learningRate: 0.01, seed: 2))
        options.hidden = 16
        let trained = PFEHeadTrainer.train(features: p.features, featureWidth: p.f, embeddings: p.embeddings,
                                           dimension: p.d, labels: p.labels, options: options)
        XCTAssertEqual(trained.outputWidth, p.d)
        XCTAssertLessThan(trained.lossPerEpoch.last!, trained.lossPerEpoch.first!, "\(trained.lossPerEpoch)")
        let meanLogSigma = (0..<p.labels.count).map { i in (0..<p.d).reduce(0.0) { $0 + Double(trained.outputs[i * p.d + $1]) } / Double(p.d) }
        let rho = Self.spearman(meanLogSigma, p.noise)
        print("PFE head: loss \(trained.lossPerEpoch.first!) -> \(trained.lossPerEpoch.last!), spearman(log sigma^2, noise) = \(rho)")
        XCTAssertGreaterThan(rho, 0.5)
        XCTAssertEqual(Set(trained.weights.names), ["fc1.weight", "fc1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean",
                                                   "bn1.running_var", "bn1.num_batches_tracked", "fc2.weight", "fc2.bias",
                                                   "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
                                                   "gamma", "beta"])
        // The saved head (BN folded, Float) gives what the trainer computed in eval mode.
        let head = try! VarianceHead(weights: trained.weights)
        let again = head.logSigmaSq(p.features, rows: p.labels.count)
        for (a, b) in zip(again, trained.outputs) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b))) }
    }

    func testIdentityBalancedBatchesHoldPositivePairs() {
        var random = SplitMix64(seed: 4)
        let labels = (0..<50).map { $0 % 7 }   // 7 identities with 7 or 8 images
        let batches = Minibatches.identityBalanced(labels: labels, imagesPerIdentity: 4, size: 16, random: &random)
        XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(0..<50))   // 7 and 8 split into 4+3 and 4+4
        for b in batches {
            XCTAssertLessThanOrEqual(b.count, 16)
            var counts: [Int: Int] = [:]
            for i in b { counts[labels[i], default: 0] += 1 }
            XCTAssertTrue(counts.values.allSatisfy { $0 >= 2 }, "\(counts)")
        }
    }

    func testEmbeddingLayerLearnsToSeparateIdentities() throws {
        var p = Self.problem(perClass: 16, maxNoise: 0.4, seed: 9)
        // Scramble the features through a fixed random map so the layer has something to learn.
        var random = SplitMix64(seed: 10)
        let mix = (0..<(p.f * p.f)).map { _ in Float(random.normal()) / Float(p.f).squareRoot() }
        p.features = MatMul.product(p.features, mix, m: p.labels.count, n: p.f, k: p.f)
        for loss in EmbeddingLayerTrainer.Loss.allCases {
            var options = EmbeddingLayerTrainer.Options(schedule: TrainingSchedule(epochs: 15, batchSize: 32, learningRate: 0.05, seed: 1))
            options.embedding = 8
            options.loss = loss
            let trained = try EmbeddingLayerTrainer.train(features: p.features, featureWidth: p.f, labels: p.labels,
                                                      classes: p.classes, options: options)
            XCTAssertLessThan(trained.lossPerEpoch.last!, trained.lossPerEpoch.first! * 0.7, "\(loss) \(trained.lossPerEpoch)")
            // Nearest trained centre (cosine) classifies most training images correctly.
            let centers = trained.centers!.values, d = 8
            var correct = 0
            for i in 0..<p.labels.count {
                let e = Array(trained.outputs[(i * d)..<((i + 1) * d)])
                let best = (0..<p.classes).max { a, b in
                    func cos(_ c: Int) -> Float {
                        let w = centers[(c * d)..<((c + 1) * d)]
                        let dot = zip(e, w).reduce(0) { $0 + $1.0 * $1.1 }
                        return dot / w.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    }
                    return cos(a) < cos(b)
                }!
                if best == p.labels[i] { correct += 1 }
            }
            print("embedding layer (\(loss)): loss \(trained.lossPerEpoch.first!) -> \(trained.lossPerEpoch.last!), accuracy \(correct)/\(p.labels.count)")
            XCTAssertGreaterThan(Double(correct) / Double(p.labels.count), 0.8, "\(loss)")
            XCTAssertEqual(trained.weights["features.weight"]?.values, [Float](repeating: 1, count: d))
        }
    }

    func testProbFaceAndAdjustableHeadsLearnLargerSigmaForNoisyImages() {
        let p = Self.problem()
        // ProbHead at lr 0.01 needs about 60 epochs here (Spearman 0.23 after 20, 0.93 after 60);
        // PFEHeadAdjustable trains without the constraint, as the reference's mlsloss configs.
        for (variant, loss, lr, lambdaC) in [(PFEHeadVariant.prob, PFEHeadTrainer.Loss.prob, 0.001, 0.1), (.adjustable, .mls, 0.01, 0),
                                             (.adjustable, .prob, 0.01, 0), (.pfe, .prob, 0.01, 0.1)] {
            var options = PFEHeadTrainer.Options(schedule: TrainingSchedule(epochs: 20, batchSize: 32, learningRate: lr, seed: 2))
            options.hidden = 16
            options.variant = variant
            options.loss = loss
            options.lambdaC = lambdaC
            let trained = PFEHeadTrainer.train(features: p.features, featureWidth: p.f, embeddings: p.embeddings,
                                               dimension: p.d, labels: p.labels, options: options)
            let width = variant == .prob ? 1 : p.d
            XCTAssertEqual(trained.outputWidth, width)
            XCTAssertLessThan(trained.lossPerEpoch.last!, trained.lossPerEpoch.first!, "\(variant) \(trained.lossPerEpoch)")
            let mean = (0..<p.labels.count).map { i in (0..<width).reduce(0.0) { $0 + Double(trained.outputs[i * width + $1]) } / Double(width) }
            let rho = Self.spearman(mean, p.noise)
            print("\(variant.rawValue) head, \(loss) loss: loss \(trained.lossPerEpoch.first!) -> \(trained.lossPerEpoch.last!), spearman(log sigma^2, noise) = \(rho)")
            XCTAssertGreaterThan(rho, 0.5, "\(variant) \(loss)")
        }
    }
}
