import Checkpoint
import Foundation

/// The PFE uncertainty head in the reference's two forms (docs/backbone.md, "Networks"), returning
/// `log sigma^2` per dimension:
/// - `PFEHead` (keys `fc1.weight`, `fc1.bias`, ...): `x / ||x||` -> Linear -> BN -> ReLU ->
///   Linear -> BN(affine False) -> `gamma * x + beta` -> `log(1e-6 + exp(x))`.
/// - `PFEHeadAdjustable` (keys `fc1`, `fc2` as bare matrices): no input normalisation, and the
///   rows of both matrices are L2-normalised (`F.normalize`, eps 1e-12), no biases.
public struct PFEHead: Sendable {
    public enum Kind: String, Sendable { case pfe = "PFEHead", adjustable = "PFEHeadAdjustable" }

    public let kind: Kind
    var fc1: Linear   // bn1 folded
    var fc2: Linear   // bn2 folded
    var gamma: Float
    var beta: Float

    public var inFeatures: Int { fc1.inFeatures }
    public var outFeatures: Int { fc2.outFeatures }

    public init(weights: WeightSet, prefix: String = "") throws {
        var r = WeightReader(weights, prefix: prefix)
        kind = r.has("fc1") ? .adjustable : .pfe
        let s1 = r.shape(kind == .pfe ? "fc1.weight" : "fc1") ?? [0, 0]
        let hidden = s1.first ?? 0, input = s1.count == 2 ? s1[1] : 0
        let s2 = r.shape(kind == .pfe ? "fc2.weight" : "fc2") ?? [0, 0]
        let out = s2.first ?? 0
        switch kind {
        case .pfe:
            fc1 = Linear(weight: r.take("fc1.weight", [hidden, input]), bias: r.take("fc1.bias", [hidden]),
                         inFeatures: input, outFeatures: hidden)
            fc2 = Linear(weight: r.take("fc2.weight", [out, hidden]), bias: r.take("fc2.bias", [out]),
                         inFeatures: hidden, outFeatures: out)
        case .adjustable:
            fc1 = Linear(weight: Self.normaliseRows(r.take("fc1", [hidden, input]), columns: input), bias: nil,
                         inFeatures: input, outFeatures: hidden)
            fc2 = Linear(weight: Self.normaliseRows(r.take("fc2", [out, hidden]), columns: hidden), bias: nil,
                         inFeatures: hidden, outFeatures: out)
        }
        fc1.fold(r.batchNorm("bn1", hidden, affine: true))
        fc2.fold(r.batchNorm("bn2", out, affine: false))
        gamma = r.take("gamma", [1])[0]
        beta = r.take("beta", [1])[0]
        try r.finish(what: "a \(kind.rawValue)")
    }

    static func normaliseRows(_ w: [Float], columns: Int) -> [Float] {
        guard columns > 0 else { return w }
        var out = w
        for r in 0..<(w.count / columns) {
            var sum: Float = 0
            for i in 0..<columns { sum += w[r * columns + i] * w[r * columns + i] }
            let norm = max(sum.squareRoot(), 1e-12)
            for i in 0..<columns { out[r * columns + i] = w[r * columns + i] / norm }
        }
        return out
    }

    /// `x[N, in]` (the bottleneck feature) to `log sigma^2 [N, out]`.
    public func logSigmaSq(_ x: [Float], rows: Int) -> [Float] {
        var input = x
        if kind == .pfe {
            let d = inFeatures
            for r in 0..<rows {
                var sum: Float = 0
                for i in 0..<d { sum += x[r * d + i] * x[r * d + i] }
                let norm = sum.squareRoot()
                for i in 0..<d { input[r * d + i] = x[r * d + i] / norm }
            }
        }
        var h = fc1.apply(input, rows: rows)
        for j in h.indices where h[j] < 0 { h[j] = 0 }
        return fc2.apply(h, rows: rows).map { Foundation.log(1e-6 + Foundation.exp(gamma * $0 + beta)) }
    }
}
