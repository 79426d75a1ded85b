import Core
import Checkpoint
/// Trains the embedding layer (`fc` + `features`) and the class centres with ArcFace
/// (s = 64, m = 0.5) on bottleneck features of a frozen trunk. A demonstration model: the
/// trunk is not trained, so the embedding is only as good as the frozen features allow.
public enum EmbeddingLayerTrainer {
    public struct Options: Sendable {
        public var embedding = 512
        public var scale: Float = 64
        public var margin = 0.5
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
        // Random unit-length directions: the loss sees only directions, and the gradient of
        // a normalised vector scales with 1 / its norm, so unit norm keeps steps moderate.
        var centers = (0..<(classes * d)).map { _ in Float(random.normal() / Double(d).squareRoot()) }
        var sgd = options.schedule.optimizer
        let loss = ArcFaceLoss<Float>(margin: options.margin)
        var curve: [Double] = []
        var fcGradient: [Float] = []
        for epoch in 1...max(1, options.schedule.epochs) where options.schedule.epochs > 0 {
            let batches = Minibatches.shuffled(count: n, size: options.schedule.batchSize, random: &random)
            var sum = 0.0
            for (b, rows) in batches.enumerated() {
                let (e, cache) = model.forwardTraining(Minibatches.gather(inputs, width: width, rows), rows: rows.count)
                let r = loss.evaluate(embeddings: e, centers: centers, labels: rows.map { labels[$0] },
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
}
