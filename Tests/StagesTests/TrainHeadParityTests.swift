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
        let kinds: [(TrainHeadKind, TrainingSchedule)] = [
            (.scale, TrainingSchedule(epochs: 15, batchSize: 24, learningRate: 0.05, seed: 3)),
            (.pfe, TrainingSchedule(epochs: 40, batchSize: 24, learningRate: 0.01, seed: 3)),
        ]
        for (kind, schedule) in kinds {
            var stage = try JobFactories.trainHead(store: store, kind: kind, schedule: schedule, output: dir.appendingPathComponent(kind.rawValue).path)
            stage.options.hidden = [16]
                let r = try stage.run()
            try NpyFile.write(r.outputs, shape: [r.outputs.count / r.outputWidth, r.outputWidth],
                              to: dir.appendingPathComponent("\(kind.rawValue)_expected.npy").path)
        }
    }
}
