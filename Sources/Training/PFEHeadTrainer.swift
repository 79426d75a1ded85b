import Core
/// Trains the PFE head on a frozen backbone: inputs bottleneck features `[N, F]`, the fixed
/// embeddings `[N, D]` (the `mu` of the MLS loss) and class indices. The loss is the seed's
/// `MLSLoss` over same-identity pairs of the batch plus `lambdaC` times `ProbConstraintLoss`;
/// batches are identity-balanced (P identities x K images, see `Minibatches.identityBalanced`).
public enum PFEHeadTrainer {
    public struct Options: Sendable {
        public var hidden = 512
        /// Width of `log sigma^2`: D (per dimension, the reference) or 1.
        public var outputs: Int?
        public var lambdaC = 0.1
        public var imagesPerIdentity = 4
        public var schedule: TrainingSchedule

        public init(schedule: TrainingSchedule) { self.schedule = schedule }
    }

    /// The returned `outputs` are `log sigma^2` `[N, out]` in eval mode.
    public static func train(features: [Float], featureWidth f: Int, embeddings: [Float], dimension d: Int,
                             labels: [Int], options: Options, progress: TrainingProgress? = nil) -> TrainedModel {
        let n = labels.count, out = options.outputs ?? d
        precondition(features.count == n * f && embeddings.count == n * d && (out == d || out == 1))
        var random = SplitMix64(seed: options.schedule.seed)
        var model = PFEHeadModel<Float>(inFeatures: f, hidden: options.hidden, outFeatures: out, random: &random)
        var sgd = options.schedule.optimizer
        var curve: [Double] = []
        var fc1Gradient: [Float] = []
        for epoch in 1...max(1, options.schedule.epochs) where options.schedule.epochs > 0 {
            let batches = Minibatches.identityBalanced(labels: labels, imagesPerIdentity: options.imagesPerIdentity,
                                                       size: options.schedule.batchSize, random: &random)
            var sum = 0.0
            for (b, rows) in batches.enumerated() {
                let (logSigma, cache) = model.forwardTraining(Minibatches.gather(features, width: f, rows), rows: rows.count)
                let mls = MLSLoss.evaluate(features: Minibatches.gather(embeddings, width: d, rows), logSigma: logSigma,
                                           labels: rows.map { labels[$0] }, dimension: d)
                let constraint = ProbConstraintLoss.evaluate(logSigma: logSigma, rows: rows.count)
                let lambda = Float(options.lambdaC)
                let grad = zip(mls.logSigma, constraint.logSigma).map { $0 + lambda * $1 }
                model.apply(model.backward(grad, cache: cache, rows: rows.count, fc1Weight: &fc1Gradient), &sgd)
                sum += mls.loss + options.lambdaC * constraint.loss
                progress?(TrainingStep(phase: "PFE head", epoch: epoch, epochs: options.schedule.epochs, batch: b + 1,
                                       batches: batches.count, meanLoss: sum / Double(b + 1)))
            }
            curve.append(batches.isEmpty ? .nan : sum / Double(batches.count))
        }
        let outputs = inChunks(rows: n) { model.forwardEval(Array(features[($0.lowerBound * f)..<($0.upperBound * f)]), rows: $0.count) }
        return TrainedModel(weights: model.stateDict(), lossPerEpoch: curve, outputs: outputs, outputWidth: out, centers: nil)
    }
}
