import Core
import Checkpoint
import Backbone
/// Trains the ScaleFace scale predictor on a frozen backbone (the paper's fine-tuned
/// configuration): inputs are bottleneck features `[N, F]`, the fixed embeddings `[N, D]`
/// and class indices; the loss is `ArcFaceScale` (margin 0.5) against class centres `[C, D]`,
/// with the predicted per-image scale multiplying every logit. The centres stay fixed unless
/// `trainCenters`.
public enum ScaleHeadTrainer {
    public struct Options: Sendable {
        /// Hidden widths between F and the output (the reference's `[F, 512, 1]` -> `[512]`).
        public var hidden: [Int] = [512]
        public var outputs: Int = 1
        public var batchNorm = true
        public var activation: ScaleActivation = .exp
        public var coefficient: Float = 64
        public var margin = 0.5
        public var trainCenters = false
        public var schedule: TrainingSchedule

        public init(schedule: TrainingSchedule) { self.schedule = schedule }
    }

    public static func train(features: [Float], featureWidth f: Int, embeddings: [Float], dimension d: Int,
                             labels: [Int], centers initial: [Float], options: Options,
                             progress: TrainingProgress? = nil) -> TrainedModel {
        let n = labels.count
        precondition(features.count == n * f && embeddings.count == n * d && initial.count % max(d, 1) == 0)
        var random = SplitMix64(seed: options.schedule.seed)
        var model = ScaleHeadModel<Float>(sizes: [f] + options.hidden + [options.outputs], batchNorm: options.batchNorm,
                                          activation: options.activation, coefficient: options.coefficient,
                                          random: &random)
        var centers = initial
        var sgd = options.schedule.optimizer
        let loss = ArcFaceLoss<Float>(margin: options.margin)
        var curve: [Double] = []
        var grads = ScaleHeadModel<Float>.Gradients(linears: [])
        for epoch in 1...max(1, options.schedule.epochs) where options.schedule.epochs > 0 {
            let batches = Minibatches.shuffled(count: n, size: options.schedule.batchSize, random: &random)
            var sum = 0.0
            for (b, rows) in batches.enumerated() {
                let x = Minibatches.gather(features, width: f, rows)
                let (scales, cache) = model.forwardTraining(x, rows: rows.count)
                // A multi-output head scales the logits by its mean output.
                let perRow = (0..<rows.count).map { r in
                    (0..<options.outputs).reduce(Float(0)) { $0 + scales[r * options.outputs + $1] } / Float(options.outputs)
                }
                let r = loss.evaluate(embeddings: Minibatches.gather(embeddings, width: d, rows), centers: centers,
                                      labels: rows.map { labels[$0] }, scales: perRow, dimension: d,
                                      embeddingGradient: false, centerGradient: options.trainCenters)
                let dOut = (0..<(rows.count * options.outputs)).map { r.scales[$0 / options.outputs] / Float(options.outputs) }
                model.backward(dOut, cache: cache, rows: rows.count, into: &grads)
                model.apply(grads, &sgd)
                if options.trainCenters { sgd.step("centers", &centers, r.centers) }
                sum += r.loss
                progress?(TrainingStep(phase: "scale head", epoch: epoch, epochs: options.schedule.epochs,
                                       batch: b + 1, batches: batches.count, meanLoss: sum / Double(b + 1)))
            }
            curve.append(batches.isEmpty ? .nan : sum / Double(batches.count))
        }
        let outputs = inChunks(rows: n) { model.forwardEval(Array(features[($0.lowerBound * f)..<($0.upperBound * f)]), rows: $0.count) }
        return TrainedModel(weights: model.stateDict(), lossPerEpoch: curve, outputs: outputs, outputWidth: options.outputs,
                            centers: options.trainCenters ? Tensor(shape: [centers.count / d, d], values: centers) : nil)
    }
}

/// Fits class centres `[C, D]` to fixed embeddings with plain ArcFace (s = 64, m = 0.5):
/// the centres start at the L2-normalised mean embedding of each class (a class whose mean
/// vanishes starts from a random direction) and are refined by SGD on the ArcFace loss.
public enum CenterFitter {
    public static func fit(embeddings: [Float], dimension d: Int, labels: [Int], classes: Int,
                           scale: Float = 64, margin: Double = 0.5, schedule: TrainingSchedule,
                           progress: TrainingProgress? = nil) -> (centers: [Float], lossPerEpoch: [Double]) {
        let n = labels.count
        var random = SplitMix64(seed: schedule.seed ^ 0x5CA1_EFAC)
        let unit = ArcFaceLoss<Float>.normalise(embeddings, columns: d).output
        var centers = [Float](repeating: 0, count: classes * d)
        for i in 0..<n { for t in 0..<d { centers[labels[i] * d + t] += unit[i * d + t] } }
        for c in 0..<classes {
            let norm = (0..<d).reduce(Float(0)) { $0 + centers[c * d + $1] * centers[c * d + $1] }.squareRoot()
            for t in 0..<d {
                centers[c * d + t] = norm > 1e-6 ? centers[c * d + t] / norm : Float(random.normal()) / Float(d).squareRoot()
            }
        }
        var sgd = schedule.optimizer
        let loss = ArcFaceLoss<Float>(margin: margin)
        var curve: [Double] = []
        for epoch in 1...max(1, schedule.epochs) where schedule.epochs > 0 {
            let batches = Minibatches.shuffled(count: n, size: schedule.batchSize, random: &random)
            var sum = 0.0
            for (b, rows) in batches.enumerated() {
                let r = loss.evaluate(embeddings: Minibatches.gather(unit, width: d, rows), centers: centers,
                                      labels: rows.map { labels[$0] }, scales: [Float](repeating: scale, count: rows.count),
                                      dimension: d, embeddingGradient: false, centerGradient: true)
                sgd.step("centers", &centers, r.centers)
                sum += r.loss
                progress?(TrainingStep(phase: "centres", epoch: epoch, epochs: schedule.epochs, batch: b + 1,
                                       batches: batches.count, meanLoss: sum / Double(b + 1)))
            }
            curve.append(batches.isEmpty ? .nan : sum / Double(batches.count))
        }
        return (centers, curve)
    }
}
