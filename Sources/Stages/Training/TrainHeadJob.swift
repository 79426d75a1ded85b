import ArgumentParser
import Core
import Training
import Figures
import Checkpoint
import Backbone
import Foundation
import Pipeline
import Store

/// What `train-head` trains, on a frozen backbone, from a store's bottleneck features.
public enum TrainHeadKind: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// ScaleFace scale predictor (MLPHead) with ArcFaceScale; saved as `scale_predictor`.
    case scale
    /// PFE head with MLS + constraint; saved as `head`.
    case pfe
    /// The iResNet embedding layer (`fc`, `features`) with ArcFace; saved as `backbone`.
    case embedding

    public var section: String {
        switch self {
        case .scale: return "scale_predictor"
        case .pfe: return "head"
        case .embedding: return "backbone"
        }
    }
}

/// The options of `scaleface train-head` and of `kind: train-head` (docs/training.md).
public struct TrainHeadOptions: ParsableArguments, Sendable {
    @Option(help: "Embedding store with /bottleneck and /images/label.")
    public var store: InputFile
    @Option(help: "scale, pfe or embedding.")
    public var kind: TrainHeadKind
    @Option(help: "Passes over the data.")
    public var epochs = 10
    @Option(help: "Images per batch.")
    public var batch = 64
    @Option(help: "SGD learning rate.")
    public var lr = 0.01
    @Option(help: "SGD momentum.")
    public var momentum = 0.9
    @Option(help: "SGD weight decay (L2, added to every gradient).")
    public var weightDecay = 5e-4
    @Option(help: "Seed of initialisation and batch order.")
    public var seed: UInt64 = 0
    @Option(help: "Class centres [C, D] (.pth or .h5, tensor 'centers'), scale only; default: fit them with ArcFace.")
    public var centers: InputFile?
    @Option(help: "Epochs of the ArcFace centre fit.")
    public var centerEpochs = 5
    @Flag(help: "Also update the centres with ArcFaceScale (scale).")
    public var trainCenters = false
    @Option(help: "Comma-separated hidden widths (scale: MLPHead hidden layers; pfe: the first width).")
    public var hidden: CommaList<Int> = [512]
    @Flag(help: "MLPHead without batch norm (scale).")
    public var noBatchNorm = false
    @Option(help: "Scale head output activation: exp, sigm, sigm_mul, sigm_sum, sigm_sum_mul, relu, lin.")
    public var activation: ScaleActivation = .exp
    @Option(help: "Coefficient c of the scale activations.")
    public var coefficient: Float = 64
    @Option(help: "Weight of the PFE constraint loss.")
    public var lambdaC = 0.1
    @Option(help: "PFE batches: images per identity (K).")
    public var imagesPerIdentity = 4
    @Option(help: "Embedding width (embedding).")
    public var embeddingSize = 512
    /// PCA components the embedding layer is trained on (0: raw features); see `PCAWhitening`.
    /// Only for the embedding layer: a scale head on whitened inputs loses the quality signal,
    /// which lives in the high-variance directions (measured: Spearman with severity 0.0 vs -0.48).
    @Option(help: "Train the embedding layer on this many PCA-whitened components of the features, folded into fc afterwards; 0: raw features (embedding).")
    public var whiten = 512
    @Option(help: "Train only on the images this list names (one image key per line), e.g. a train split.")
    public var subset: InputFile?

    public init() {}

    public func validate() throws {
        guard epochs >= 1 else { throw ValidationError("epochs must be at least 1") }
        guard batch >= 2 else { throw ValidationError("the batch must hold at least 2 images (batch norm needs two rows)") }
        guard lr > 0, lr.isFinite else { throw ValidationError("the learning rate must be positive") }
        guard momentum >= 0, weightDecay >= 0 else { throw ValidationError("momentum and weight decay must not be negative") }
        guard hidden.items.allSatisfy({ $0 > 0 }), embeddingSize > 0, imagesPerIdentity >= 2, whiten >= 0 else {
            throw ValidationError("hidden sizes and the embedding size must be positive, images per identity at least 2, whitening not negative")
        }
        guard centers == nil || kind == .scale else { throw ValidationError("class centres apply to the scale head only") }
    }

    public var schedule: TrainingSchedule {
        TrainingSchedule(epochs: epochs, batchSize: batch, learningRate: lr, momentum: momentum,
                         weightDecay: weightDecay, seed: seed)
    }
}

/// Trains a head from a store and writes `<out>.pth` (PyTorch state dicts under the
/// reference's section and key names), `<out>.h5` (the scaleface weights layout) and
/// `<out>-loss.png` (loss per epoch). Fitted or trained class centres are saved too, as the
/// top-level tensor `centers` `[C, D]` (`scaleface train-head`, `kind: train-head`).
public struct TrainHeadJob {
    public var options: TrainHeadOptions
    public var output: String
    public var quiet: Bool

    public init(_ options: TrainHeadOptions, output: String, quiet: Bool) {
        self.options = options
        self.output = output
        self.quiet = quiet
    }

    /// `<out>` without a `.pth` / `.h5` extension, to which the three suffixes are added.
    public var outputBase: String {
        for ext in [".pth", ".h5"] where output.hasSuffix(ext) { return String(output.dropLast(ext.count)) }
        return output
    }
    public var checkpointPath: String { outputBase + ".pth" }
    public var weightsPath: String { outputBase + ".h5" }
    public var plotPath: String { outputBase + "-loss.png" }

    func validate() throws {
        let dir = URL(fileURLWithPath: outputBase).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: dir) else { throw InputError(file: output, "output directory \(dir) does not exist") }
    }

    @discardableResult
    public func run() throws -> TrainedModel {
        try validate()
        let data = try TrainingData.read(store: options.store.path, subset: options.subset?.path)
        let progress = TrainingProgressPrinter(quiet: quiet)
        let report: TrainingProgress = { progress.update($0) }
        var result: TrainedModel
        switch options.kind {
        case .scale:
            var centerCurve: [Double] = []
            var c: [Float]
            if let centers = options.centers?.path {
                c = try CenterFile.load(path: centers, classes: data.classes.classes, dimension: data.dimension)
            } else {
                var s = options.schedule
                s.epochs = options.centerEpochs
                let fit = CenterFitter.fit(embeddings: data.embeddings, dimension: data.dimension, labels: data.classes.labels,
                                           classes: data.classes.classes, schedule: s, progress: report)
                c = fit.centers
                centerCurve = fit.lossPerEpoch
            }
            var trainer = ScaleHeadTrainer.Options(schedule: options.schedule)
            trainer.hidden = options.hidden.items
            trainer.batchNorm = !options.noBatchNorm
            trainer.activation = options.activation
            trainer.coefficient = options.coefficient
            trainer.trainCenters = options.trainCenters
            result = ScaleHeadTrainer.train(features: data.features, featureWidth: data.featureWidth, embeddings: data.embeddings,
                                            dimension: data.dimension, labels: data.classes.labels, centers: c,
                                            options: trainer, progress: report)
            if options.centers?.path == nil && result.centers == nil {
                result.centers = Tensor(shape: [data.classes.classes, data.dimension], values: c)
            }
            result.centerLossPerEpoch = centerCurve
        case .pfe:
            var trainer = PFEHeadTrainer.Options(schedule: options.schedule)
            trainer.hidden = options.hidden.items.first ?? 512
            trainer.lambdaC = options.lambdaC
            trainer.imagesPerIdentity = options.imagesPerIdentity
            result = PFEHeadTrainer.train(features: data.features, featureWidth: data.featureWidth, embeddings: data.embeddings,
                                          dimension: data.dimension, labels: data.classes.labels, options: trainer, progress: report)
        case .embedding:
            var trainer = EmbeddingLayerTrainer.Options(schedule: options.schedule)
            trainer.embedding = options.embeddingSize
            trainer.whiten = options.whiten
            result = try EmbeddingLayerTrainer.train(features: data.features, featureWidth: data.featureWidth,
                                                 labels: data.classes.labels, classes: data.classes.classes,
                                                 options: trainer, progress: report)
        }
        progress.finish()
        guard result.lossPerEpoch.allSatisfy({ $0.isFinite }) else {
            throw InputError(file: options.store.path, "training diverged (loss \(result.lossPerEpoch.last ?? .nan)); lower the learning rate")
        }
        try save(result)
        return result
    }

    /// Everything saved, flattened with dots (`scale_predictor.mlp.0.weight`, `centers`).
    public func savedWeights(_ result: TrainedModel) -> WeightSet {
        var all = WeightSet(source: "scaleface train-head --kind \(options.kind.rawValue)")
        for n in result.weights.names { all.set("\(options.kind.section).\(n)", result.weights[n]!) }
        if let c = result.centers { all.set("centers", c) }
        return all
    }

    /// Writes the three files (each atomically); if one fails, the ones this run already
    /// wrote are removed, so that no mixed set is left behind.
    func save(_ result: TrainedModel) throws {
        var written: [String] = []
        do {
            try writeFiles(result) { written.append($0) }
        } catch {
            for p in written { try? FileManager.default.removeItem(atPath: p) }
            throw error
        }
    }

    private func writeFiles(_ result: TrainedModel, wrote: (String) -> Void) throws {
        var root: [(String, CheckpointValue)] = [(options.kind.section, CheckpointWriter.stateDict(result.weights))]
        if let c = result.centers { root.append(("centers", .float32(c))) }
        try CheckpointWriter.write(.dict(root), to: checkpointPath)
        wrote(checkpointPath)
        try WeightsFile.write(savedWeights(result), to: weightsPath, source: URL(fileURLWithPath: checkpointPath).lastPathComponent)
        wrote(weightsPath)
        let epochs = (1...result.lossPerEpoch.count).map(Double.init)
        var series = [LineSeries(name: "\(options.kind.rawValue) head (\(lossName))", x: epochs, y: result.lossPerEpoch, marker: .circle)]
        if !result.centerLossPerEpoch.isEmpty {
            series.append(LineSeries(name: "class centres (ArcFace)", x: (1...result.centerLossPerEpoch.count).map(Double.init),
                                     y: result.centerLossPerEpoch, style: .dashed, marker: .square))
        }
        try LineChart(title: "Training loss: \(options.kind.rawValue) on \(URL(fileURLWithPath: options.store.path).lastPathComponent)",
                      xLabel: "epoch", yLabel: "mean loss over the epoch's batches", series: series).writePNG(to: plotPath)
    }

    var lossName: String {
        switch options.kind {
        case .scale: return "ArcFaceScale"
        case .pfe: return "MLS + \(options.lambdaC) x constraint"
        case .embedding: return "ArcFace"
        }
    }
}

/// Training progress on `ProgressLine`: one line per phase (centres, then the head) counting
/// batches over all epochs, with the epoch and the running loss as detail.
final class TrainingProgressPrinter {
    private let line: ProgressLine
    private var phase: String?

    init(quiet: Bool) { line = ProgressLine(label: "train-head", total: 0, quiet: quiet) }

    func update(_ s: TrainingStep) {
        if s.phase != phase {
            if phase != nil { line.finish() }
            phase = s.phase
            line.restart(label: "train-head: \(s.phase) batches", total: s.epochs * s.batches)
        }
        line.update((s.epoch - 1) * s.batches + s.batch,
                    detail: String(format: "epoch %d/%d, loss %.4f", s.epoch, s.epochs, s.meanLoss))
    }

    func finish() { if phase != nil { line.finish() } }
}
