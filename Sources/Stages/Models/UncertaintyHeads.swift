import Backbone
import Checkpoint
import Core
import Foundation

/// The uncertainty heads of checkpoints, and the per-image values strategies take from a
/// network's outputs: the one home for both, used by `embed` (heads beside the backbone) and
/// `heads` (heads on a store's bottleneck features). docs/backbone.md, "Networks";
/// docs/strategies.md, "Heads".
public struct UncertaintyHeads: Sendable {
    public var scale: MLPHead?
    /// The `head` section: PFEHead, PFEHeadAdjustable, PFEHeadAdjustableSpectralSimple or ProbHead.
    public var variance: VarianceHead?

    public init(scale: MLPHead? = nil, variance: VarianceHead? = nil) {
        self.scale = scale
        self.variance = variance
    }

    /// Keys that make a bare state dict a `head` (any of the four kinds).
    public static let headBareKeys = ["fc1", "fc1.weight", "fc1.weight_orig"]

    /// A head's weights: the checkpoint, its weights and the prefix naming them in errors.
    public typealias Found = (path: String, weights: WeightSet, prefix: String)

    /// `section` of the first checkpoint that has it; else, when `bareKeys` are given, the
    /// first checkpoint that is a bare state dict holding one of them.
    public static func find(_ sets: [(path: String, weights: WeightSet)], section: String,
                            bareKeys: [String] = []) -> Found? {
        if let s = sets.first(where: { $0.weights.hasSection(section) }) {
            return (s.path, s.weights.section(section), section)
        }
        for key in bareKeys {
            if let s = sets.first(where: { $0.weights[key] != nil }) { return (s.path, s.weights, "") }
        }
        return nil
    }

    /// The ScaleFace scale predictor (MLPHead) in `found`, checked against the bottleneck width.
    public static func scaleHead(_ found: Found, activation: ScaleActivation, coefficient: Float,
                                 bottleneck width: Int, bottleneckName: String) throws -> MLPHead {
        let h = try MLPHead(weights: found.weights, prefix: found.prefix, activation: activation, coefficient: coefficient)
        guard h.inFeatures == width else {
            throw InputError(file: found.path, "scale predictor takes \(h.inFeatures) inputs, \(bottleneckName) has \(width)")
        }
        return h
    }

    /// The head in `found` (its kind recognised from the keys, or `expected`), checked against
    /// the bottleneck width.
    public static func varianceHead(_ found: Found, expected: HeadKind? = nil, bottleneck width: Int,
                                    bottleneckName: String) throws -> VarianceHead {
        let h = try VarianceHead(weights: found.weights, prefix: found.prefix, expected: expected)
        guard h.inFeatures == width else {
            throw InputError(file: found.path, "\(h.kind.className) takes \(h.inFeatures) inputs, \(bottleneckName) has \(width)")
        }
        return h
    }

    /// The scale predictor's output per image `[rows]` (a confidence).
    public func scaleValues(_ bottleneck: [Float], rows: Int) -> [Float] {
        scale!.apply(bottleneck, rows: rows)
    }

    /// The head's `sigma^2 = exp(log sigma^2)` per image `[rows, out]` (an uncertainty; 512
    /// values for the PFE kinds, one for ProbHead).
    public func headValues(_ bottleneck: [Float], rows: Int) -> [Float] {
        variance!.sigmaSq(bottleneck, rows: rows)
    }

    /// `emb_norm`: the L2 norm of each row of `embeddings` `[rows, width]` (a confidence).
    public static func embeddingNorms(_ embeddings: [Float], rows: Int, width: Int) -> [Float] {
        (0..<rows).map { n in
            var sum: Float = 0
            for i in 0..<width { sum += embeddings[n * width + i] * embeddings[n * width + i] }
            return sum.squareRoot()
        }
    }
}
