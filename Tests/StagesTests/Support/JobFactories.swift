import Foundation
@testable import Pipeline
@testable import Stages
import Training

/// Jobs built the way the commands build them: options parsed from arguments, so the
/// options type's defaults and checks apply.
enum JobFactories {
    static func trainHead(store: String, kind: TrainHeadKind, schedule: TrainingSchedule, output: String,
                          _ extra: [String] = []) throws -> TrainHeadJob {
        let options = try TrainHeadOptions.parse([
            "--store", store, "--kind", kind.rawValue, "--epochs", "\(schedule.epochs)", "--batch", "\(schedule.batchSize)",
            "--lr", "\(schedule.learningRate)", "--momentum", "\(schedule.momentum)",
            "--weight-decay", "\(schedule.weightDecay)", "--seed", "\(schedule.seed)",
        ] + extra)
        return TrainHeadJob(options, output: output, quiet: true)
    }

    static func heads(store: String, checkpoints: [String], strategies: [EmbedStrategy], output: String,
                      _ extra: [String] = []) throws -> HeadsJob {
        var args = ["--store", store]
        for c in checkpoints { args += ["--checkpoint", c] }
        if !strategies.isEmpty { args += ["--strategies", strategies.map(\.rawValue).joined(separator: ",")] }
        return HeadsJob(try HeadsOptions.parse(args + extra), output: output, quiet: true)
    }
}
