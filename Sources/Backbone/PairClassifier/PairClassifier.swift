import Checkpoint

/// A pair classifier of the reference's `classifier` strategy (docs/strategies.md, Pair
/// classifiers): logits `z ∈ R²` of the pair `[left ‖ right]` (left = first CSV column), column 1
/// meaning "same identity". The kind is recognised from the state dict's keys and shapes.
public enum PairClassifier: Sendable {
    case smartCosine(PairLayer)
    case bilinear(PairLayer)
    case mlp(PairMLP)

    /// From a checkpoint's `pair_classifier` section if it has one, else from the bare state dict.
    /// Errors name the offending key.
    public init(weights: WeightSet) throws {
        let body = weights.hasSection("pair_classifier") ? weights.section("pair_classifier") : weights
        let prefix = weights.hasSection("pair_classifier") ? "pair_classifier" : ""
        if body["fc1.weight"] != nil {
            self = .smartCosine(try PairLayer(weights: body, prefix: prefix, form: .product))
        } else if body["fc.weight"] != nil {
            self = .bilinear(try PairLayer(weights: body, prefix: prefix, form: .bilinear))
        } else if body["hidden.0.weight"] != nil {
            self = .mlp(try PairMLP(weights: body, prefix: prefix))
        } else {
            throw CheckpointError(path: weights.source, message:
                "is not a pair classifier: expected fc1.weight (SmartCosine), fc.weight (Bilinear) or hidden.0.weight (MLP)"
                + (prefix.isEmpty ? "" : " under pair_classifier"))
        }
    }

    /// The name of the kind, as written in docs and the store (`smart_cosine`, `bilinear`, `mlp`).
    public var kind: String {
        switch self {
        case .smartCosine: "smart_cosine"
        case .bilinear: "bilinear"
        case .mlp: "mlp"
        }
    }

    /// Embedding size `D` of one image (the input is `2D` floats).
    public var dimension: Int {
        switch self {
        case .smartCosine(let m), .bilinear(let m): m.dimension
        case .mlp(let m): m.inFeatures / 2
        }
    }

    /// Logits `[P, 2]` row-major for `left[P, D]`, `right[P, D]` row-major.
    public func logits(left: [Float], right: [Float], pairs: Int) -> [Float] {
        precondition(left.count == pairs * dimension && right.count == pairs * dimension)
        switch self {
        case .smartCosine(let m), .bilinear(let m): return m.logits(left: left, right: right, pairs: pairs)
        case .mlp(let m): return m.logits(left: left, right: right, pairs: pairs)
        }
    }

    /// `p(same)` and `1 - max p` per pair, with `p = softmax(log_softmax(z))` as the reference.
    public func probabilities(left: [Float], right: [Float], pairs: Int) -> PairProbabilities {
        PairProbabilities(logits: logits(left: left, right: right, pairs: pairs))
    }
}
