import Core
/// Trains a pair classifier (`PairClassifierModel`) on fixed embeddings with cross-entropy on
/// random pairs (docs/training.md, Pair classifier training), as the reference's
/// `train_pair_face_classification.py` with `MS1MDatasetRandomPairs`: the backbone is frozen,
/// only the classifier learns; batches of `batchSize` consecutive pairs, an incomplete last
/// batch is dropped (`drop_last=True`).
public enum PairClassifierTrainer {
    public struct Options: Sendable {
        public var kind: PairClassifierKind = .smartCosine
        /// MLP hidden widths (the reference's `3layer_perceptron.yaml`: [512, 128]).
        public var hidden = [512, 128]
        public var pSame = 0.5
        public var schedule: TrainingSchedule

        public init(schedule: TrainingSchedule) { self.schedule = schedule }
    }

    /// `outputs` are the logits `[P, 2]` of the last epoch's pairs under the final weights
    /// (`outputWidth` 2), in the order `PairSampler.epoch` drew them.
    public static func train(embeddings: [Float], dimension d: Int, labels: [Int], options: Options,
                             progress: TrainingProgress? = nil) -> TrainedModel {
        precondition(embeddings.count == labels.count * d)
        var random = SplitMix64(seed: options.schedule.seed)
        var model = PairClassifierModel<Float>(kind: options.kind, dimension: d, hidden: options.hidden, random: &random)
        var sgd = options.schedule.optimizer
        var curve: [Double] = []
        var last: [PairSampler.Pair] = []
        let size = max(1, options.schedule.batchSize)
        for epoch in 1...max(1, options.schedule.epochs) where options.schedule.epochs > 0 {
            let pairs = PairSampler.epoch(labels: labels, pSame: options.pSame, random: &random)
            let batches = pairs.count / size
            var sum = 0.0
            for b in 0..<batches {
                let chunk = Array(pairs[(b * size)..<((b + 1) * size)])
                let (z, cache) = model.forward(left: Minibatches.gather(embeddings, width: d, chunk.map(\.first)),
                                               right: Minibatches.gather(embeddings, width: d, chunk.map(\.second)), pairs: size)
                let ce = PairCrossEntropy.evaluate(logits: z, labels: chunk.map(\.label))
                model.apply(model.backward(ce.logits, cache: cache, pairs: size), &sgd)
                sum += ce.loss
                progress?(TrainingStep(phase: "pair classifier (\(options.kind.rawValue))", epoch: epoch,
                                       epochs: options.schedule.epochs, batch: b + 1, batches: batches, meanLoss: sum / Double(b + 1)))
            }
            curve.append(batches == 0 ? .nan : sum / Double(batches))
            last = pairs
        }
        let logits = model.forward(left: Minibatches.gather(embeddings, width: d, last.map(\.first)),
                                   right: Minibatches.gather(embeddings, width: d, last.map(\.second)), pairs: last.count).logits
        return TrainedModel(weights: model.stateDict(), lossPerEpoch: curve, outputs: logits, outputWidth: 2, centers: nil)
    }
}

/// One epoch of random pairs as `MS1MDatasetRandomPairs` draws them: identities in a shuffled
/// order (the shuffling sampler), one pair per identity: the first image uniform within the
/// identity; with probability `pSame` the second is another image of the same identity
/// (uniform, the first excluded), label 1; otherwise a different identity uniform over all the
/// others, then an image uniform within it, label 0. Identities with a single image are not
/// drawn as the first identity (the reference raises on them when it draws "same"); they can
/// be the other identity of a negative pair.
public enum PairSampler {
    public struct Pair: Sendable, Equatable {
        public var first: Int
        public var second: Int
        public var label: Int
    }

    public static func epoch(labels: [Int], pSame: Double, random: inout SplitMix64) -> [Pair] {
        var rows: [Int: [Int]] = [:]
        for (i, y) in labels.enumerated() { rows[y, default: []].append(i) }
        let identities = rows.keys.sorted()
        guard identities.count >= 2 else { return [] }
        var order = Array(identities.indices.filter { rows[identities[$0]]!.count >= 2 })
        random.shuffle(&order)
        return order.map { idx in
            let own = rows[identities[idx]]!
            let a = random.unbiasedIndex(below: own.count)
            if random.chance(pSame) {
                let b = random.unbiasedIndex(below: own.count - 1)
                return Pair(first: own[a], second: own[b >= a ? b + 1 : b], label: 1)
            }
            let o = random.unbiasedIndex(below: identities.count - 1)
            let other = rows[identities[o >= idx ? o + 1 : o]]!
            return Pair(first: own[a], second: other[random.unbiasedIndex(below: other.count)], label: 0)
        }
    }
}
