import Foundation
import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// Pair classifier training (docs/training.md, Pair classifier training): the epoch's pairs
/// follow the sampling rule, the trained classifiers separate same from different identities,
/// and a checkpoint with a `pair_classifier` section loads into the inference
/// `PairClassifier(weights:)` with the same logits. Also the reference's state-dict names and
/// shapes of the ProbFace and PFE-adjustable heads.
final class TrainingPairClassifierTests: XCTestCase {
    /// A fresh folder for one test's checkpoints, removed when the test ends.
    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pair-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testPairSamplerFollowsTheReferenceRule() {
        // 9 identities with 1..9 images: identity 0 has a single image.
        var labels: [Int] = []
        for c in 0..<9 { labels += [Int](repeating: c * 10, count: c + 1) }
        var random = SplitMix64(seed: 3)
        var same = 0, total = 0
        for _ in 0..<400 {
            let pairs = PairSampler.epoch(labels: labels, pSame: 0.5, random: &random)
            // One pair per identity with two or more images, each identity once as the first.
            XCTAssertEqual(pairs.map { labels[$0.first] }.sorted(), (1..<9).map { $0 * 10 })
            for p in pairs {
                XCTAssertNotEqual(p.first, p.second)
                XCTAssertEqual(labels[p.first] == labels[p.second], p.label == 1)
                same += p.label
                total += 1
            }
        }
        let fraction = Double(same) / Double(total)   // binomial sd 0.0088 over 3200 draws
        print("pair sampler: \(same) of \(total) pairs positive")
        XCTAssertEqual(fraction, 0.5, accuracy: 0.04)
        XCTAssertTrue(PairSampler.epoch(labels: [1, 1, 1], pSame: 0.5, random: &random).isEmpty)
        // pSame 1 draws only positives, 0 only negatives.
        XCTAssertTrue(PairSampler.epoch(labels: labels, pSame: 1, random: &random).allSatisfy { $0.label == 1 })
        XCTAssertTrue(PairSampler.epoch(labels: labels, pSame: 0, random: &random).allSatisfy { $0.label == 0 })
    }

    func testTrainedPairClassifiersSeparatePairsAndLoadForInference() throws {
        let directory = try scratch()
        // 60 identities of 4 noisy unit vectors each; each epoch draws one pair per identity.
        var embeddings: [Float] = [], labels: [Int] = []
        var random = SplitMix64(seed: 8)
        let d = 16
        for c in 0..<60 {
            let direction = (0..<d).map { _ in random.normal() }
            for _ in 0..<4 {
                var e = direction.map { $0 + 0.5 * random.normal() }
                let norm = e.reduce(0) { $0 + $1 * $1 }.squareRoot()
                e = e.map { $0 / norm }
                embeddings += e.map(Float.init)
                labels.append(c)
            }
        }
        // (learning rate, epochs, least accuracy). Without a bias SmartCosine's threshold stays at
        // z1 = z0, i.e. a weighted cosine of 0, where about half of the different-identity pairs
        // of random 16-d directions lie: it cannot get far past 75 %.
        let settings: [PairClassifierModel<Float>.Kind: (Double, Int, Double)] = [
            .smartCosine: (0.5, 40, 0.9), .smartCosineInitialized: (0.5, 40, 0.7), .bilinear: (0.1, 40, 0.9), .mlp: (0.05, 300, 0.8),
        ]
        for kind in PairClassifierModel<Float>.Kind.allCases {
            let (lr, epochs, least) = settings[kind]!
            var options = PairClassifierTrainer.Options(schedule: TrainingSchedule(epochs: epochs, batchSize: 16, learningRate: lr, seed: 2))
            options.kind = kind
            options.hidden = [32, 16]
            let trained = PairClassifierTrainer.train(embeddings: embeddings, dimension: d, labels: labels, options: options)
            XCTAssertEqual(trained.lossPerEpoch.count, epochs)
            XCTAssertLessThan(trained.lossPerEpoch.suffix(5).reduce(0, +), trained.lossPerEpoch.prefix(5).reduce(0, +), "\(kind) \(trained.lossPerEpoch)")

            // Fresh pairs: the trained classifier, loaded back from a .pth with a pair_classifier section.
            let path = directory.appendingPathComponent("\(kind.rawValue).pth").path
            try CheckpointWriter.write(sections: [("pair_classifier", trained.weights)], to: path)
            let loaded = try PairClassifier(weights: try WeightsFile.load(path: path))
            XCTAssertEqual(loaded.kind, kind == .smartCosineInitialized ? "smart_cosine" : kind.rawValue)
            XCTAssertEqual(loaded.dimension, d)
            var test = SplitMix64(seed: 99)
            let pairs = (0..<10).flatMap { _ in PairSampler.epoch(labels: labels, pSame: 0.5, random: &test) }
            let left = Minibatches.gather(embeddings, width: d, pairs.map(\.first))
            let right = Minibatches.gather(embeddings, width: d, pairs.map(\.second))
            let same = loaded.probabilities(left: left, right: right, pairs: pairs.count).same
            let accuracy = Double(zip(same, pairs).filter { ($0.0 > 0.5) == ($0.1.label == 1) }.count) / Double(pairs.count)
            print("pair classifier \(kind.rawValue): loss \(trained.lossPerEpoch.first!) -> \(trained.lossPerEpoch.last!), accuracy \(accuracy) on \(pairs.count) pairs")
            XCTAssertGreaterThan(accuracy, least, kind.rawValue)
            XCTAssertEqual(trained.outputWidth, 2)
            XCTAssertEqual(trained.outputs.count, 2 * 60)
        }
    }

    func testPairClassifierStateDictRoundTrip() throws {
        let directory = try scratch()
        var random = SplitMix64(seed: 5)
        let d = 6, pairs = 9
        let left = (0..<(pairs * d)).map { _ in Float(random.normal()) }, right = (0..<(pairs * d)).map { _ in Float(random.normal()) }
        let shapes: [PairClassifierModel<Float>.Kind: [String: [Int]]] = [
            .smartCosine: ["fc1.weight": [2, d], "fc1.bias": [2]],
            .smartCosineInitialized: ["fc1.weight": [2, d]],
            .bilinear: ["fc.weight": [2, d, d], "fc.bias": [2]],
            .mlp: ["hidden.0.weight": [4, 2 * d], "hidden.0.bias": [4], "hidden.1.weight": [2, 4], "hidden.1.bias": [2]],
        ]
        for kind in PairClassifierModel<Float>.Kind.allCases {
            let model = PairClassifierModel<Float>(kind: kind, dimension: d, hidden: [4], random: &random)
            let w = model.stateDict()
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: w.names.map { ($0, w[$0]!.shape) }), shapes[kind]!, kind.rawValue)
            if kind == .smartCosineInitialized {
                XCTAssertEqual(w["fc1.weight"]!.values, [Float](repeating: -1, count: d) + [Float](repeating: 1, count: d))
            }
            let path = directory.appendingPathComponent("\(kind.rawValue).pth").path
            try CheckpointWriter.write(sections: [("pair_classifier", w)], to: path)
            let loaded = try PairClassifier(weights: try WeightsFile.load(path: path))
            let expected = model.forward(left: left, right: right, pairs: pairs).logits
            let got = loaded.logits(left: left, right: right, pairs: pairs)
            for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), kind.rawValue) }
        }
    }

    func testUncertaintyHeadStateDictsUseTheReferenceNames() {
        var random = SplitMix64(seed: 6)
        let f = 10, d = 6
        let prob = PFEHeadModel<Float>(inFeatures: f, hidden: 7, outFeatures: d, variant: .prob, random: &random).stateDict()
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: prob.names.map { ($0, prob[$0]!.shape) }), [
            "fc1.weight": [7, f], "fc1.bias": [7], "fc2.weight": [1, 7], "fc2.bias": [1],
            "bn1.weight": [7], "bn1.bias": [7], "bn1.running_mean": [7], "bn1.running_var": [7], "bn1.num_batches_tracked": [],
            "bn2.running_mean": [1], "bn2.running_var": [1], "bn2.num_batches_tracked": [], "gamma": [1], "beta": [1],
        ])
        XCTAssertEqual(prob["gamma"]!.values, [1e-4])
        XCTAssertEqual(prob["beta"]!.values, [-7])
        let head = PFEHeadModel<Float>(inFeatures: f, hidden: 7, outFeatures: d, variant: .adjustable, random: &random)
        let adj = head.stateDict()
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: adj.names.map { ($0, adj[$0]!.shape) }), [
            "fc1": [d, f], "fc2": [d, d],
            "bn1.weight": [d], "bn1.bias": [d], "bn1.running_mean": [d], "bn1.running_var": [d], "bn1.num_batches_tracked": [],
            "bn2.running_mean": [d], "bn2.running_var": [d], "bn2.num_batches_tracked": [], "gamma": [1], "beta": [1],
        ])
        XCTAssertEqual(adj["gamma"]!.values, [1])
        XCTAssertEqual(adj["beta"]!.values, [0])
        // kaiming_normal_: std sqrt(2 / fan_in) over the 60 entries of fc1 (loose: a sample of 60).
        let w = adj["fc1"]!.values.map(Double.init)
        let std = (w.reduce(0) { $0 + $1 * $1 } / Double(w.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / Double(f)).squareRoot(), accuracy: 0.2)
    }
}
