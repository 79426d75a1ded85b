import Backbone
import Foundation
import XCTest
import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline
@testable import Checkpoint
@testable import Training

/// Writes heads trained by `train-head` with their inputs and the trainer's eval-mode outputs
/// to $SCALEFACE_HEAD_PARITY_DIR, for tools/parity/check_head_pth.py to load with
/// `torch.load(weights_only=True)` into the reference modules and compare (outside CI, it
/// needs PyTorch). Skipped when the variable is unset.
final class TrainHeadParityTests: XCTestCase {
    func testWriteTrainedHeadsForPyTorch() throws {
        guard let out = ProcessInfo.processInfo.environment["SCALEFACE_HEAD_PARITY_DIR"] else {
            throw XCTSkip("set SCALEFACE_HEAD_PARITY_DIR to write trained heads for tools/parity/check_head_pth.py")
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let dir = URL(fileURLWithPath: out)
        let store = dir.appendingPathComponent("train.h5").path
        try? FileManager.default.removeItem(atPath: store)
        try TrainHeadTests.makeStore(store)
        let features = try EmbeddingStore.open(store).bottleneckFeatures()!
        try NpyFile.write(features, shape: [features.count / TrainHeadTests.f, TrainHeadTests.f],
                          to: dir.appendingPathComponent("bottleneck.npy").path)
        let embeddings = try EmbeddingStore.open(store).embeddings()
        let n = embeddings.count / TrainHeadTests.d
        try NpyFile.write(embeddings, shape: [n, TrainHeadTests.d], to: dir.appendingPathComponent("embeddings.npy").path)
        let pfe = TrainingSchedule(epochs: 40, batchSize: 24, learningRate: 0.01, seed: 3)
        let pairs = TrainingSchedule(epochs: 20, batchSize: 3, learningRate: 0.01, seed: 3)
        let kinds: [(String, TrainHeadKind, TrainingSchedule, [String])] = [
            ("scale", .scale, TrainingSchedule(epochs: 15, batchSize: 24, learningRate: 0.05, seed: 3), []),
            ("pfe", .pfe, pfe, []),
            ("prob", .pfe, pfe, ["--head", "prob", "--loss", "prob"]),
            ("pfe-adjustable", .pfe, pfe, ["--head", "pfe-adjustable"]),
            ("pair-smart_cosine", .pairClassifier, pairs, ["--classifier", "smart_cosine"]),
            ("pair-bilinear", .pairClassifier, pairs, ["--classifier", "bilinear"]),
            ("pair-mlp", .pairClassifier, pairs, ["--classifier", "mlp", "--hidden", "8,4"]),
        ]
        for (name, kind, schedule, extra) in kinds {
            var stage = try JobFactories.trainHead(store: store, kind: kind, schedule: schedule, output: dir.appendingPathComponent(name).path, extra)
            if kind != .pairClassifier { stage.options.hidden = [16] }
            let r = try stage.run()
            if kind == .pairClassifier {
                // Logits of the pairs (i, N-1-i) from the saved checkpoint, as the classifier strategy reads it.
                let c = try PairClassifier(weights: try WeightsFile.load(path: stage.checkpointPath))
                let z = c.logits(left: embeddings, right: (0..<n).reversed().flatMap { embeddings[($0 * TrainHeadTests.d)..<(($0 + 1) * TrainHeadTests.d)] },
                                 pairs: n)
                try NpyFile.write(z, shape: [n, 2], to: dir.appendingPathComponent("\(name)_expected.npy").path)
            } else {
                try NpyFile.write(r.outputs, shape: [r.outputs.count / r.outputWidth, r.outputWidth],
                                  to: dir.appendingPathComponent("\(name)_expected.npy").path)
            }
        }
    }
}
