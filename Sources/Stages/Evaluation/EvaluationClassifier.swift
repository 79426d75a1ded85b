import Analysis
import Backbone
import Checkpoint
import Core
import Foundation

/// The pair classifier of a reject or fusion evaluation (docs/metrics.md, "Pair classifiers"):
/// the checkpoint given with `--pair-classifier` (its `pair_classifier` section, or a bare state
/// dict), else the one `embed --strategies ...,classifier` kept in the store.
public struct EvaluationClassifier: Sendable {
    public let classifier: PairClassifier
    /// Where it came from, for messages.
    public let source: String

    public init(classifier: PairClassifier, source: String) {
        self.classifier = classifier
        self.source = source
    }

    /// nil when neither the option nor the store gives one.
    public static func load(option: String?, store: String) throws -> EvaluationClassifier? {
        if let path = option {
            return EvaluationClassifier(classifier: try PairClassifier(weights: WeightsFile.load(path: path)), source: path)
        }
        return try PairClassifierStore.load(store: store).map {
            EvaluationClassifier(classifier: $0, source: "\(store):/\(PairClassifierStore.group)")
        }
    }

    /// Loads the classifier when `metric` (the first metric that needs one) is given; an error
    /// naming it when no classifier is.
    static func required(by metric: String?, option: String?, store: String, log: Log) throws -> PairClassifierFunction? {
        guard let metric else { return nil }
        guard let c = try load(option: option, store: store) else {
            throw InputError(file: store, "metric \(metric) needs a pair classifier: give --pair-classifier CKPT.pth, or embed with --strategies ...,classifier")
        }
        log("pair classifier: \(c.classifier.kind) on \(c.classifier.dimension)-d embeddings, from \(c.source)")
        return c.function
    }

    /// Pairs per classifier call: large enough for sgemm, small enough to keep the gathered
    /// rows (2 x 4096 x D floats) in a few MiB.
    static let batch = 4096

    /// `p(same)` and `1 - max p` for every pair, the pair's left row first (as the reference
    /// concatenates `[mu_1, mu_2]`); batches run on all cores, except the MLP's, which are
    /// sgemm calls that use all cores themselves.
    public var function: PairClassifierFunction {
        let c = classifier, source = source
        return { embeddings, pairs in
            let d = c.dimension
            guard embeddings.columns == d else {
                throw InputError(file: source, "the \(c.kind) pair classifier takes \(d)-d embeddings but these are \(embeddings.columns)-d")
            }
            let n = pairs.count, batches = (n + Self.batch - 1) / Self.batch
            func run(_ b: Int) -> PairProbabilities {
                let rows = b * Self.batch..<min(n, (b + 1) * Self.batch)
                var left = [Float](repeating: 0, count: rows.count * d), right = left
                embeddings.values.withUnsafeBufferPointer { e in
                    for (k, i) in rows.enumerated() {
                        let l = Int(pairs.left[i]) * d, r = Int(pairs.right[i]) * d
                        for j in 0..<d { left[k * d + j] = e[l + j]; right[k * d + j] = e[r + j] }
                    }
                }
                return c.probabilities(left: left, right: right, pairs: rows.count)
            }
            let parts: [PairProbabilities]
            if case .mlp = c { parts = (0..<batches).map(run) } else { parts = try parallelMap(batches) { run($0) } }
            return try ClassifierPairValues(same: parts.flatMap(\.same), uncertainty: parts.flatMap(\.uncertainty))
        }
    }
}
