import Checkpoint
import Foundation

/// The reference's four uncertainty heads of the `head` section, which all end in
/// `log sigma^2 = log(1e-6 + exp(gamma * BN2(fc2(ReLU(BN1(fc1(x))))) + beta))` on the bottleneck
/// feature and differ in how `fc1` / `fc2` are stored and whether `x` is normalised
/// (docs/strategies.md, "Heads"):
///
/// | kind | keys of fc1 / fc2 | weights used | input |
/// |---|---|---|---|
/// | `pfe_head` (PFEHead) | `fc1.weight`, `fc1.bias`, ... | as stored | `x / ||x||` |
/// | `pfe_head_adjustable` (PFEHeadAdjustable) | bare `fc1`, `fc2`, no biases | rows L2-normalised | `x` |
/// | `pfe_head_adjustable_spectral` | `fc1.weight_orig`, `.weight_u`, `.weight_v`, no biases | `W_orig / (u . W_orig v)` | `x` |
/// | `prob_head` (ProbHead) | `fc1.weight`, `fc1.bias`, `fc2.weight` `[1, hidden]` | as stored | `x` |
///
/// BN1 is affine, BN2 is not (eps 1e-5, running statistics); both are folded into the linear
/// layers. `gamma`, `beta` have shape `[1]`. The kind is recognised by `HeadKind.recognise`.
public struct VarianceHead: Sendable {
    public let kind: HeadKind
    var fc1: Linear   // bn1 folded
    var fc2: Linear   // bn2 folded
    var gamma: Float
    var beta: Float

    public var inFeatures: Int { fc1.inFeatures }
    /// 512 for the PFE kinds (their `out_feat`), 1 for ProbHead.
    public var outFeatures: Int { fc2.outFeatures }

    /// `expected` (a config's `head.name`) is checked against the keys, and decides between
    /// `pfe_head` and `prob_head`, which share their key names.
    public init(weights: WeightSet, prefix: String = "", expected: HeadKind? = nil) throws {
        let kind = try HeadKind.recognise(weights, prefix: prefix, expected: expected)
        self.kind = kind
        var r = WeightReader(weights, prefix: prefix)
        let name = kind == .pfeAdjustable ? "fc1" : kind == .pfeAdjustableSpectral ? "fc1.weight_orig" : "fc1.weight"
        let s1 = r.shape(name)!, hidden = s1[0], input = s1[1]
        let out = r.shape(kind == .pfeAdjustable ? "fc2" : kind == .pfeAdjustableSpectral ? "fc2.weight_orig" : "fc2.weight")![0]
        func layer(_ l: String, _ rows: Int, _ columns: Int) -> Linear {
            let weight: [Float], bias: [Float]?
            switch kind {
            case .pfe, .prob:
                (weight, bias) = (r.take("\(l).weight", [rows, columns]), r.take("\(l).bias", [rows]))
            case .pfeAdjustable:
                (weight, bias) = (Self.normaliseRows(r.take(l, [rows, columns]), columns: columns), nil)
            case .pfeAdjustableSpectral:
                weight = SpectralNorm.weight(original: r.take("\(l).weight_orig", [rows, columns]),
                                             u: r.take("\(l).weight_u", [rows]), v: r.take("\(l).weight_v", [columns]))
                bias = nil
            }
            return Linear(weight: weight, bias: bias, inFeatures: columns, outFeatures: rows)
        }
        fc1 = layer("fc1", hidden, input)
        fc2 = layer("fc2", out, hidden)
        fc1.fold(r.batchNorm("bn1", hidden, affine: true))
        fc2.fold(r.batchNorm("bn2", out, affine: false))
        gamma = r.take("gamma", [1])[0]
        beta = r.take("beta", [1])[0]
        try r.finish(what: "a \(kind.className) (\(kind.rawValue))")
    }

    /// `F.normalize(W, dim=1)`: each row divided by `max(||row||, 1e-12)`.
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

    /// The stored value of strategy `head`: `sigma^2 = exp(log sigma^2)` `[N, out]`, keeping the
    /// reference's log-then-exp round trip in float32.
    public func sigmaSq(_ x: [Float], rows: Int) -> [Float] {
        logSigmaSq(x, rows: rows).map { Foundation.exp($0) }
    }
}
