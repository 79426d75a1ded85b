import Backbone
import Foundation
import Store

/// What `train-head` trains, on a frozen backbone, from a store's bottleneck features.
public enum TrainHeadKind: String, CaseIterable, Sendable {
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

/// `scaleface train-head`: trains a head from a store and writes `<out>.pth` (PyTorch
/// state dicts under the reference's section and key names), `<out>.h5` (the scaleface
/// weights layout) and `<out>-loss.png` (loss per epoch). Fitted or trained class centres
/// are saved too, as the top-level tensor `centers` `[C, D]`.
public struct TrainHeadStage {
    public var store: String
    public var kind: TrainHeadKind
    public var schedule: TrainingSchedule
    /// Class centres for `scale` (`CenterFile`); nil fits them first with ArcFace.
    public var centers: String?
    /// Epochs of the ArcFace centre fit (when `centers` is nil).
    public var centerEpochs = 5
    public var trainCenters = false
    public var hidden: [Int] = [512]
    public var batchNorm = true
    public var activation: ScaleActivation = .exp
    public var coefficient: Float = 64
    public var lambdaC = 0.1
    public var imagesPerIdentity = 4
    public var embeddingSize = 512
    /// PCA components the embedding layer is trained on (0: raw features); see `PCAWhitening`.
    /// Only for the embedding layer: a scale head on whitened inputs loses the quality signal,
    /// which lives in the high-variance directions (measured: Spearman with severity 0.0 vs -0.48).
    public var whiten = 512
    public var output: String
    public var quiet = false
    /// A list file of the image keys to train on (e.g. `splits/train.txt`); nil: every image.
    public var subset: String?

    public init(store: String, kind: TrainHeadKind, schedule: TrainingSchedule, output: String) {
        self.store = store
        self.kind = kind
        self.schedule = schedule
        self.output = output
    }

    /// `<out>` without a `.pth` / `.h5` extension, to which the three suffixes are added.
    public var outputBase: String {
        for ext in [".pth", ".h5"] where output.hasSuffix(ext) { return String(output.dropLast(ext.count)) }
        return output
    }
    public var checkpointPath: String { outputBase + ".pth" }
    public var weightsPath: String { outputBase + ".h5" }
    public var plotPath: String { outputBase + "-loss.png" }

    public func validate() throws {
        guard schedule.epochs >= 1 else { throw InputError(file: store, "--epochs must be at least 1") }
        guard schedule.batchSize >= 2 else { throw InputError(file: store, "--batch must be at least 2 (batch norm needs two rows)") }
        guard schedule.learningRate > 0, schedule.learningRate.isFinite else { throw InputError(file: store, "--lr must be positive") }
        guard schedule.momentum >= 0, schedule.weightDecay >= 0 else { throw InputError(file: store, "--momentum and --weight-decay must not be negative") }
        guard hidden.allSatisfy({ $0 > 0 }), embeddingSize > 0, imagesPerIdentity >= 2, whiten >= 0 else {
            throw InputError(file: store, "hidden sizes and the embedding size must be positive, --images-per-identity at least 2, --whiten not negative")
        }
        let dir = URL(fileURLWithPath: outputBase).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: dir) else { throw InputError(file: output, "output directory \(dir) does not exist") }
    }

    @discardableResult
    public func run() throws -> TrainedModel {
        try validate()
        let data = try TrainingData.read(store: store, subset: subset)
        var progress = TrainingProgressLine(quiet: quiet)
        let report: TrainingProgress = { progress.update($0) }
        var result: TrainedModel
        switch kind {
        case .scale:
            var centerCurve: [Double] = []
            var c: [Float]
            if let centers {
                c = try CenterFile.load(path: centers, classes: data.classes.classes, dimension: data.dimension)
            } else {
                var s = schedule
                s.epochs = centerEpochs
                let fit = CenterFitter.fit(embeddings: data.embeddings, dimension: data.dimension, labels: data.classes.labels,
                                           classes: data.classes.classes, schedule: s, progress: report)
                c = fit.centers
                centerCurve = fit.lossPerEpoch
            }
            var options = ScaleHeadTrainer.Options(schedule: schedule)
            options.hidden = hidden
            options.batchNorm = batchNorm
            options.activation = activation
            options.coefficient = coefficient
            options.trainCenters = trainCenters
            result = ScaleHeadTrainer.train(features: data.features, featureWidth: data.featureWidth, embeddings: data.embeddings,
                                            dimension: data.dimension, labels: data.classes.labels, centers: c,
                                            options: options, progress: report)
            if centers == nil && result.centers == nil {
                result.centers = Tensor(shape: [data.classes.classes, data.dimension], values: c)
            }
            result.centerLossPerEpoch = centerCurve
        case .pfe:
            var options = PFEHeadTrainer.Options(schedule: schedule)
            options.hidden = hidden.first ?? 512
            options.lambdaC = lambdaC
            options.imagesPerIdentity = imagesPerIdentity
            result = PFEHeadTrainer.train(features: data.features, featureWidth: data.featureWidth, embeddings: data.embeddings,
                                          dimension: data.dimension, labels: data.classes.labels, options: options, progress: report)
        case .embedding:
            var options = EmbeddingLayerTrainer.Options(schedule: schedule)
            options.embedding = embeddingSize
            options.whiten = whiten
            result = try EmbeddingLayerTrainer.train(features: data.features, featureWidth: data.featureWidth,
                                                 labels: data.classes.labels, classes: data.classes.classes,
                                                 options: options, progress: report)
        }
        progress.finish()
        guard result.lossPerEpoch.allSatisfy({ $0.isFinite }) else {
            throw InputError(file: store, "training diverged (loss \(result.lossPerEpoch.last ?? .nan)); lower --lr")
        }
        try save(result)
        return result
    }

    /// Everything saved, flattened with dots (`scale_predictor.mlp.0.weight`, `centers`).
    public func savedWeights(_ result: TrainedModel) -> WeightSet {
        var all = WeightSet(source: "scaleface train-head --kind \(kind.rawValue)")
        for n in result.weights.names { all.set("\(kind.section).\(n)", result.weights[n]!) }
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
        var root: [(String, CheckpointValue)] = [(kind.section, CheckpointWriter.stateDict(result.weights))]
        if let c = result.centers { root.append(("centers", .float32(c))) }
        try CheckpointWriter.write(.dict(root), to: checkpointPath)
        wrote(checkpointPath)
        try WeightsFile.write(savedWeights(result), to: weightsPath, source: URL(fileURLWithPath: checkpointPath).lastPathComponent)
        wrote(weightsPath)
        let epochs = (1...result.lossPerEpoch.count).map(Double.init)
        var series = [LineSeries(name: "\(kind.rawValue) head (\(lossName))", x: epochs, y: result.lossPerEpoch, marker: .circle)]
        if !result.centerLossPerEpoch.isEmpty {
            series.append(LineSeries(name: "class centres (ArcFace)", x: (1...result.centerLossPerEpoch.count).map(Double.init),
                                     y: result.centerLossPerEpoch, style: .dashed, marker: .square))
        }
        try LineChart(title: "Training loss: \(kind.rawValue) on \(URL(fileURLWithPath: store).lastPathComponent)",
                      xLabel: "epoch", yLabel: "mean loss over the epoch's batches", series: series).writePNG(to: plotPath)
    }

    var lossName: String {
        switch kind {
        case .scale: return "ArcFaceScale"
        case .pfe: return "MLS + \(lambdaC) x constraint"
        case .embedding: return "ArcFace"
        }
    }
}

/// Training progress on `ProgressLine`: one line per phase (centres, then the head) counting
/// batches over all epochs, with the epoch and the running loss as detail.
struct TrainingProgressLine {
    let quiet: Bool
    private var phase = ""
    private var line: ProgressLine?

    init(quiet: Bool) { self.quiet = quiet }

    mutating func update(_ s: TrainingStep) {
        guard !quiet else { return }
        if s.phase != phase || line == nil {
            line?.finish()
            phase = s.phase
            line = ProgressLine(label: "train-head: \(s.phase) batches", total: s.epochs * s.batches, quiet: false)
        }
        line?.update((s.epoch - 1) * s.batches + s.batch,
                     detail: String(format: "epoch %d/%d, loss %.4f", s.epoch, s.epochs, s.meanLoss))
    }

    func finish() { line?.finish() }
}
