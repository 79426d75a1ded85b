import Backbone
import Foundation

/// `kind: train-head`: trains the scale head, the PFE head or the embedding layer from a
/// store's bottleneck features (`scaleface train-head`). With input `split` (a `synth`
/// stage), `subset` names a list file in it; with input `centers` (an `embedding` stage), a
/// scale head uses its trained class centres. Artifact: head.pth, head.h5, head-loss.png.
public enum TrainHeadStageKind: StageKind {
    public static let kind = "train-head"
    public static let version = 1
    public static let summary = "Train a scale head, PFE head or embedding layer on stored bottleneck features."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreProducers.kinds),
        InputSpec("split", accepts: [SynthKind.kind], optional: true),
        // Class centres for `scale`: those an `embedding` stage trained (its head.pth `centers`).
        InputSpec("centers", accepts: [TrainHeadStageKind.kind], optional: true),
    ]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("kind", .string, help: "scale, pfe or embedding"),
        ParameterSpec("epochs", .int, default: .int(10), help: "passes over the data"),
        ParameterSpec("batch", .int, default: .int(64), help: "images per batch"),
        ParameterSpec("lr", .double, default: .double(0.01), help: "SGD learning rate"),
        ParameterSpec("momentum", .double, default: .double(0.9), help: "SGD momentum"),
        ParameterSpec("weight_decay", .double, default: .double(5e-4), help: "SGD weight decay"),
        ParameterSpec("seed", .int, default: .int(0), help: "initialisation and batch order"),
        ParameterSpec("subset", .string, default: .string(""), help: "list of image keys to train on (e.g. splits/train.txt)"),
        ParameterSpec("center_epochs", .int, default: .int(5), help: "ArcFace centre fit epochs (scale)"),
        ParameterSpec("embedding_size", .int, default: .int(512), help: "embedding width (embedding)"),
        ParameterSpec("whiten", .int, default: .int(512), help: "PCA components the embedding layer trains on (0: raw)"),
    ]

    public static func run(_ c: StageContext) throws {
        guard let kind = TrainHeadKind(rawValue: c.string("kind")) else {
            throw InputError(file: c.stageName, "parameter 'kind' is '\(c.string("kind"))', expected scale, pfe or embedding")
        }
        let schedule = TrainingSchedule(epochs: c.int("epochs"), batchSize: c.int("batch"), learningRate: c.double("lr"),
                                        momentum: c.double("momentum"), weightDecay: c.double("weight_decay"),
                                        seed: UInt64(c.int("seed")))
        var stage = TrainHeadStage(store: try c.input("store").appendingPathComponent("store.h5").path, kind: kind,
                                   schedule: schedule, output: c.output("head"))
        stage.subset = c.optionalString("subset").map { name in
            name.hasPrefix("/") ? name : (c.inputs["split"] ?? c.baseDirectory).appendingPathComponent(name).path
        }
        stage.centers = c.inputs["centers"]?.appendingPathComponent("head.pth").path
        stage.centerEpochs = c.int("center_epochs")
        stage.embeddingSize = c.int("embedding_size")
        stage.whiten = c.int("whiten")
        stage.quiet = c.quiet
        let model = try stage.run()
        if let last = model.lossPerEpoch.last { c.log("final epoch loss \(last)") }
        try FigureEntry.writeManifest([FigureEntry(file: "head-loss.png", title: "Training loss (\(kind.rawValue))",
                                                   caption: "Mean loss per epoch of `train-head --kind \(kind.rawValue)`.")],
                                      to: c.output.path)
    }
}

/// `kind: heads`: applies trained heads to a store's bottleneck features (`scaleface heads`);
/// the heads come from `train-head` stages given as inputs `head`, `head2`, ...
/// Artifact: store.h5 (the input store plus the new strategies).
public enum HeadsKind: StageKind {
    public static let kind = "heads"
    public static let version = 1
    public static let summary = "Add uncertainties (scale, head) or new embeddings from trained heads to a store."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreProducers.kinds),
        InputSpec("head*", accepts: [TrainHeadStageKind.kind]),
    ]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("strategies", .strings, default: .list([]), help: "scale, head, emb_norm"),
        ParameterSpec("embedding_layer", .bool, default: .bool(false), help: "recompute /embeddings with a trained embedding layer"),
    ]

    public static func run(_ c: StageContext) throws {
        let strategies = try c.strings("strategies").map { name -> EmbedStrategy in
            guard let s = EmbedStrategy(rawValue: name) else {
                throw InputError(file: c.stageName, "unknown strategy '\(name)' (known: \(EmbedStrategy.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return s
        }
        let checkpoints = c.inputOrder.filter { $0.hasPrefix("head") }.compactMap { c.inputs[$0]?.appendingPathComponent("head.pth").path }
        var stage = HeadsStage(store: try c.input("store").appendingPathComponent("store.h5").path, checkpoints: checkpoints,
                               strategies: strategies, output: c.output("store.h5"))
        stage.embeddingLayer = c.bool("embedding_layer")
        stage.quiet = c.quiet
        try stage.run()
    }
}
