import Core
import Checkpoint
/// Trains the embedding layer (`fc` + `features`) and the class centres with ArcFace
/// (s = 64, m = 0.5), CosFace (s = 64, m = 0.4) or SphereFace's AngleLoss (m = 4, the
/// iteration-dependent lambda; docs/training.md, Losses) on bottleneck features of a frozen
/// trunk. A demonstration model: the trunk is not trained, so the embedding is only as good as
/// the frozen features allow.
public enum EmbeddingLayerTrainer {
    public enum Loss: String, Sendable, CaseIterable {
        case arcface, cosface, angle

        /// The reference's margin: ArcFace 0.5 (added to the angle), CosFace 0.4, AngleLoss m = 4.
        public var defaultMargin: Double {
            switch self {
            case .arcface: 0.5
            case .cosface: 0.4
            case .angle: 4
            }
        }
    }

    public struct Options: Sendable {
        public var embedding = 512
        public var loss: Loss = .arcface
        public var scale: Float = 64
        /// ArcFace / CosFace margin, or AngleLoss's integer m (0...5); nil: the loss's default.
        public var margin: Double?
        /// Train on PCA-whitened features with this many components and fold the whitening
        /// into `fc` afterwards (`PCAWhitening`); 0 trains on the raw features.
        public var whiten = 0
        public var schedule: TrainingSchedule

        public init(schedule: TrainingSchedule) { self.schedule = schedule }
    }

    /// The returned `outputs` are the embedding `feature` `[N, D]` in eval mode; `centers`
    /// the trained centres `[C, D]`.
    public static func train(features: [Float], featureWidth f: Int, labels: [Int], classes: Int,
                             options: Options, progress: TrainingProgress? = nil) throws -> TrainedModel {
        let n = labels.count, d = options.embedding
        precondition(features.count == n * f)
        let whitening = options.whiten > 0
            ? try PCAWhitening.fit(features: features, rows: n, width: f, components: options.whiten) : nil
        let inputs = whitening?.apply(features, rows: n) ?? features
        let width = whitening?.components ?? f
        var random = SplitMix64(seed: options.schedule.seed)
        var model = EmbeddingLayerModel<Float>(inFeatures: width, embedding: d, random: &random)
        var centers = initialCenters(classes: classes, dimension: d, loss: options.loss, random: &random)
        var sgd = options.schedule.optimizer
        let margin = options.margin ?? options.loss.defaultMargin
        let loss = ArcFaceLoss<Float>(margin: margin, kind: options.loss == .cosface ? .cosface : .arcface)
        let angle = options.loss == .angle ? AngleLoss<Float>(m: Int(margin)) : nil
        var iteration = 0   // AngleLoss's counter, incremented before every forward
        var curve: [Double] = []
        var fcGradient: [Float] = []
        for epoch in 1...max(1, options.schedule.epochs) where options.schedule.epochs > 0 {
            let batches = Minibatches.shuffled(count: n, size: options.schedule.batchSize, random: &random)
            var sum = 0.0
            for (b, rows) in batches.enumerated() {
                let (e, cache) = model.forwardTraining(Minibatches.gather(inputs, width: width, rows), rows: rows.count)
                iteration += 1
                let y = rows.map { labels[$0] }
                let r = angle?.evaluate(embeddings: e, centers: centers, labels: y, dimension: d, iteration: iteration)
                    ?? loss.evaluate(embeddings: e, centers: centers, labels: y,
                                     scales: [Float](repeating: options.scale, count: rows.count), dimension: d,
                                     embeddingGradient: true, centerGradient: true)
                model.apply(model.backward(r.embeddings, cache: cache, rows: rows.count, fcWeight: &fcGradient), &sgd)
                sgd.step("centers", &centers, r.centers)
                sum += r.loss
                progress?(TrainingStep(phase: "embedding layer", epoch: epoch, epochs: options.schedule.epochs,
                                       batch: b + 1, batches: batches.count, meanLoss: sum / Double(b + 1)))
            }
            curve.append(batches.isEmpty ? .nan : sum / Double(batches.count))
        }
        if let whitening { model.fc = whitening.fold(model.fc) }
        // From the saved (folded) layer on the raw features: what `heads` will reproduce.
        let outputs = inChunks(rows: n) { model.forwardEval(Array(features[($0.lowerBound * f)..<($0.upperBound * f)]), rows: $0.count) }
        return TrainedModel(weights: model.stateDict(), lossPerEpoch: curve, outputs: outputs, outputWidth: d,
                            centers: Tensor(shape: [classes, d], values: centers))
    }

    /// ArcFace / CosFace: random unit-length directions (the loss sees only directions, and the
    /// gradient of a normalised vector scales with 1 / its norm, so unit norm keeps steps
    /// moderate). AngleLoss: as `AngleLinear` initialises its weight, uniform in [-1, 1] per
    /// entry, then every class vector scaled to unit length.
    static func initialCenters(classes: Int, dimension d: Int, loss: Loss, random: inout SplitMix64) -> [Float] {
        guard loss == .angle else { return (0..<(classes * d)).map { _ in Float(random.normal() / Double(d).squareRoot()) } }
        let raw = (0..<(classes * d)).map { _ in Float(2 * random.uniform() - 1) }
        return ArcFaceLoss<Float>.normalise(raw, columns: d).output
    }
}
