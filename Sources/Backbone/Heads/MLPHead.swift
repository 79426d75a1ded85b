import Checkpoint
import Foundation

/// The ScaleFace scale predictor (docs/backbone.md, "Networks"): `Linear(no bias) -> BatchNorm1d(affine
/// False) -> ReLU` repeated, a final `Linear(no bias)`, then the activation. State-dict keys are
/// those of the reference's `nn.Sequential` named `mlp` (`mlp.0.weight`, `mlp.1.running_mean`,
/// ...); depth and batch norm are read from the keys, activation and coefficient are not stored
/// in checkpoints and are given by the caller.
public struct MLPHead: Sendable {
    var layers: [Linear]
    public let activation: ScaleActivation
    public let coefficient: Float

    public var inFeatures: Int { layers[0].inFeatures }
    public var outFeatures: Int { layers[layers.count - 1].outFeatures }

    public init(weights: WeightSet, prefix: String = "", activation: ScaleActivation, coefficient: Float = 64) throws {
        self.activation = activation
        self.coefficient = coefficient
        var r = WeightReader(weights, prefix: prefix)
        layers = []
        var i = 0
        while true {
            guard let shape = r.shape("mlp.\(i).weight"), shape.count == 2 else {
                _ = r.take("mlp.\(i).weight", [layers.last?.outFeatures ?? 0, 0])
                break
            }
            var linear = Linear(weight: r.take("mlp.\(i).weight", shape), bias: nil,
                                inFeatures: shape[1], outFeatures: shape[0])
            if let previous = layers.last, previous.outFeatures != shape[1] {
                _ = r.take("mlp.\(i).weight", [shape[0], previous.outFeatures])
            }
            if r.has("mlp.\(i + 1).running_mean") {
                linear.fold(r.batchNorm("mlp.\(i + 1)", shape[0], affine: false))
                layers.append(linear)
                i += 3
            } else if r.has("mlp.\(i + 2).weight") {
                layers.append(linear)
                i += 2
            } else {
                layers.append(linear)
                break
            }
        }
        try r.finish(what: "an MLPHead scale predictor")
    }

    /// `x[N, in]` (the bottleneck feature) to `[N, out]` scales.
    public func apply(_ x: [Float], rows: Int) -> [Float] {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer.apply(h, rows: rows)
            if i < layers.count - 1 { for j in h.indices where h[j] < 0 { h[j] = 0 } }
        }
        return h.map { activation.apply($0, coefficient: coefficient) }
    }
}
