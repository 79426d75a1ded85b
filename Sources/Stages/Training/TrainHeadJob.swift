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
    /// The iResNet embedding layer (`fc`, `features`) with ArcFace, CosFace or AngleLoss; saved as `backbone`.
    case embedding
    /// A pair classifier (SmartCosine, Bilinear, MLP) with cross-entropy on random pairs of the
    /// stored embeddings; saved as `pair_classifier`.
    case pairClassifier = "pair-classifier"

    public var section: String {
        switch self {
        case .scale: return "scale_predictor"
        case .pfe: return "head"
        case .embedding: return "backbone"
        case .pairClassifier: return "pair_classifier"
        }
    }

    /// The losses a kind accepts, the default first.
    public var losses: [TrainHeadLoss] {
        switch self {
        case .scale: return [.arcfaceScale]
        case .pfe: return [.mls, .prob]
        case .embedding: return [.arcface, .cosface, .angle]
        case .pairClassifier: return [.crossEntropy]
        }
    }
}

/// `--loss` of `train-head` (docs/training.md, Losses).
public enum TrainHeadLoss: String, CaseIterable, Sendable, ExpressibleByArgument {
    case arcfaceScale = "arcface-scale"
    case mls
    case prob
    case arcface
    case cosface
    case angle
    case crossEntropy = "cross-entropy"
}

extension PFEHeadVariant: ExpressibleByArgument {}
extension PairClassifierKind: ExpressibleByArgument {}

/// The options of `scaleface train-head` and of `kind: train-head` (docs/training.md).
public struct TrainHeadOptions: ParsableArguments, Sendable {
    @Option(help: "Embedding store with /bottleneck and /images/label.")
    public var store: InputFile
    @Option(help: "scale, pfe, embedding or pair-classifier.")
    public var kind: TrainHeadKind
    @Option(help: "Loss: pfe mls (default) or prob (ProbLoss); embedding arcface (default), cosface or angle (SphereFace).")
    public var loss: TrainHeadLoss?
    @Option(help: "Uncertainty head of --kind pfe: pfe (PFEHead, default), prob (ProbHead, scalar sigma^2) or pfe-adjustable (PFEHeadAdjustable).")
    public var head: PFEHeadVariant = .pfe
    @Option(help: "Pair classifier of --kind pair-classifier: smart_cosine, smart_cosine_initialized, bilinear or mlp.")
    public var classifier: PairClassifierKind = .smartCosine
    @Option(help: "Margin of the loss; default: ArcFace 0.5, CosFace 0.4, AngleLoss m 4 (integer 0...5), ProbLoss 3.")
    public var margin: Double?
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
    @Option(help: "Comma-separated hidden widths (scale: MLPHead hidden layers, default 512; pfe / prob head: the first width, default 512; mlp pair classifier: default 512,128).")
    public var hidden: CommaList<Int>?
    @Flag(help: "MLPHead without batch norm (scale).")
    public var noBatchNorm = false
    @Option(help: "Scale head output activation: exp, sigm, sigm_mul, sigm_sum, sigm_sum_mul, relu, lin.")
    public var activation: ScaleActivation = .exp
    @Option(help: "Coefficient c of the scale activations.")
    public var coefficient: Float = 64
    /// The constraint divides by the batch mean of log sigma^2, which starts near 0 for
    /// PFEHeadAdjustable (gamma 1, beta 0 after batch norm) and then diverges; the reference
    /// trains that head with `mlsloss` alone (docs/training.md, Losses).
    @Option(help: "Weight of the PFE constraint loss; default 0.1, 0 for --head pfe-adjustable.")
    public var lambdaC: Double?
    @Option(help: "Weight of ProbLoss's triplet term (--loss prob).")
    public var lambdaId = 0.1
    @Option(help: "Pair classifier: probability that a drawn pair is of the same identity.")
    public var pSame = 0.5
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
        guard (hidden?.items ?? []).allSatisfy({ $0 > 0 }), embeddingSize > 0, imagesPerIdentity >= 2, whiten >= 0 else {
            throw ValidationError("hidden sizes and the embedding size must be positive, images per identity at least 2, whitening not negative")
        }
        guard centers == nil || kind == .scale else { throw ValidationError("class centres apply to the scale head only") }
        if let loss, !kind.losses.contains(loss) {
            throw ValidationError("--loss \(loss.rawValue) does not apply to --kind \(kind.rawValue) (expected \(kind.losses.map(\.rawValue).joined(separator: ", ")))")
        }
        if effectiveLoss == .angle, let m = margin, m != m.rounded() || !(0...5).contains(m) {
            throw ValidationError("AngleLoss's margin m must be an integer in 0...5 (got \(m))")
        }
        guard margin?.isFinite ?? true, lambdaId >= 0, (lambdaC ?? 0) >= 0, pSame >= 0 && pSame <= 1 else {
            throw ValidationError("the margin must be finite, --lambda-c and --lambda-id not negative, --p-same in [0, 1]")
        }
    }

    /// `--lambda-c`, or its default for the head.
    public var effectiveLambdaC: Double { lambdaC ?? (head == .adjustable ? 0 : 0.1) }

    /// `--loss`, or the kind's default.
    public var effectiveLoss: TrainHeadLoss { loss ?? kind.losses[0] }

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
        let data = try TrainingData.read(store: options.store.path, subset: options.subset?.path,
                                         bottleneck: options.kind != .pairClassifier)
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
            trainer.hidden = options.hidden?.items ?? [512]
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
            trainer.variant = options.head
            trainer.loss = options.effectiveLoss == .prob ? .prob : .mls
            trainer.hidden = options.hidden?.items.first ?? 512
            trainer.lambdaC = options.effectiveLambdaC
            trainer.lambdaID = options.lambdaId
            if let m = options.margin { trainer.margin = m }
            trainer.imagesPerIdentity = options.imagesPerIdentity
            result = PFEHeadTrainer.train(features: data.features, featureWidth: data.featureWidth, embeddings: data.embeddings,
                                          dimension: data.dimension, labels: data.classes.labels, options: trainer, progress: report)
        case .embedding:
            var trainer = EmbeddingLayerTrainer.Options(schedule: options.schedule)
            trainer.embedding = options.embeddingSize
            trainer.whiten = options.whiten
            trainer.loss = options.effectiveLoss == .angle ? .angle : options.effectiveLoss == .cosface ? .cosface : .arcface
            trainer.margin = options.margin
            result = try EmbeddingLayerTrainer.train(features: data.features, featureWidth: data.featureWidth,
                                                 labels: data.classes.labels, classes: data.classes.classes,
                                                 options: trainer, progress: report)
        case .pairClassifier:
            var trainer = PairClassifierTrainer.Options(schedule: options.schedule)
            trainer.kind = options.classifier
            trainer.hidden = options.hidden?.items ?? [512, 128]
            trainer.pSame = options.pSame
            // One pair per identity with two or more images and epoch; incomplete batches are dropped.
            var images: [Int: Int] = [:]
            for y in data.classes.labels { images[y, default: 0] += 1 }
            let drawn = images.values.filter { $0 >= 2 }.count
            guard images.count >= 2, drawn >= options.batch else {
                throw InputError(file: options.store.path, "gives \(drawn) pair(s) per epoch (one per identity with 2 or more images, of \(images.count) identities), fewer than --batch \(options.batch); pair classifier training needs at least 2 identities and one batch")
            }
            result = PairClassifierTrainer.train(embeddings: data.embeddings, dimension: data.dimension,
                                                 labels: data.classes.labels, options: trainer, progress: report)
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
        switch options.effectiveLoss {
        case .arcfaceScale: return "ArcFaceScale"
        case .mls: return options.effectiveLambdaC == 0 ? "MLS" : "MLS + \(options.effectiveLambdaC) x constraint"
        case .prob: return "ProbLoss"
        case .arcface: return "ArcFace"
        case .cosface: return "CosFace"
        case .angle: return "AngleLoss"
        case .crossEntropy: return "cross-entropy"
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
