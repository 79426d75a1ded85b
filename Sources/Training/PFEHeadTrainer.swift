import Core
/// Trains an uncertainty head (`PFEHeadModel`: PFEHead, ProbHead or PFEHeadAdjustable) on a
/// frozen backbone: inputs bottleneck features `[N, F]`, the fixed embeddings `[N, D]` (the
/// `mu` of the losses) and class indices. The loss is the seed's `MLSLoss` over same-identity
/// pairs of the batch plus `lambdaC` times `ProbConstraintLoss` (`.mls`), or `ProbLoss`, which
/// adds `lambdaID` times the triplet term (`.prob`); batches are identity-balanced
/// (P identities x K images, see `Minibatches.identityBalanced`). docs/training.md.
public enum PFEHeadTrainer {
    public enum Loss: String, Sendable, CaseIterable {
        /// MLS + lambda_c x constraint.
        case mls
        /// ProbLoss: MLS + lambda_c x constraint + lambda_id x triplet (margin m).
        case prob
    }

    public struct Options: Sendable {
        public var variant: PFEHeadVariant = .pfe
        public var loss: Loss = .mls
        public var hidden = 512
        /// Width of `log sigma^2`: D (per dimension, the reference) or 1 (`.prob` is always 1).
        public var outputs: Int?
        public var lambdaC = 0.1
        /// ProbLoss only: weight of the triplet term and its margin m.
        public var lambdaID = 0.1
        public var margin = 3.0
        public var imagesPerIdentity = 4
        public var schedule: TrainingSchedule

        public init(schedule: TrainingSchedule) { self.schedule = schedule }
    }

    /// The returned `outputs` are `log sigma^2` `[N, out]` in eval mode.
    public static func train(features: [Float], featureWidth f: Int, embeddings: [Float], dimension d: Int,
                             labels: [Int], options: Options, progress: TrainingProgress? = nil) -> TrainedModel {
        let n = labels.count, out = options.variant == .prob ? 1 : options.outputs ?? d
        precondition(features.count == n * f && embeddings.count == n * d && (out == d || out == 1))
        var random = SplitMix64(seed: options.schedule.seed)
        var model = PFEHeadModel<Float>(inFeatures: f, hidden: options.hidden, outFeatures: out, variant: options.variant,
                                        random: &random)
        let prob = ProbLoss(margin: options.margin, lambdaC: options.lambdaC, lambdaID: options.loss == .prob ? options.lambdaID : 0)
        var sgd = options.schedule.optimizer
        var curve: [Double] = []
        var fc1Gradient: [Float] = []
        for epoch in 1...max(1, options.schedule.epochs) where options.schedule.epochs > 0 {
            let batches = Minibatches.identityBalanced(labels: labels, imagesPerIdentity: options.imagesPerIdentity,
                                                       size: options.schedule.batchSize, random: &random)
            var sum = 0.0
            for (b, rows) in batches.enumerated() {
                let (logSigma, cache) = model.forwardTraining(Minibatches.gather(features, width: f, rows), rows: rows.count)
                let r = prob.evaluate(features: Minibatches.gather(embeddings, width: d, rows), logSigma: logSigma,
                                      labels: rows.map { labels[$0] }, dimension: d, triplet: options.loss == .prob)
                model.apply(model.backward(r.logSigma, cache: cache, rows: rows.count, fc1Weight: &fc1Gradient), &sgd)
                sum += r.loss
                progress?(TrainingStep(phase: options.variant == .pfe ? "PFE head" : "\(options.variant.rawValue) head", epoch: epoch, epochs: options.schedule.epochs, batch: b + 1,
                                       batches: batches.count, meanLoss: sum / Double(b + 1)))
            }
            curve.append(batches.isEmpty ? .nan : sum / Double(batches.count))
        }
        let outputs = inChunks(rows: n) { model.forwardEval(Array(features[($0.lowerBound * f)..<($0.upperBound * f)]), rows: $0.count) }
        return TrainedModel(weights: model.stateDict(), lossPerEpoch: curve, outputs: outputs, outputWidth: out, centers: nil)
    }
}
