import Checkpoint

/// The one-layer pair classifiers (docs/strategies.md, Pair classifiers), two logits over
/// `x1 = left`, `x2 = right` (`D` floats each):
/// - SmartCosine (`form` `.product`): `z = (x1 ⊙ x2) W1ᵀ + b1`, `fc1.weight` `[2, D]`, `fc1.bias`
///   `[2]` optional (zeros when absent). Symmetric in the two images.
/// - Bilinear (`form` `.bilinear`, `torch.nn.Bilinear(D, D, 2)`): `z_k = Σ_ij x1_i W[k,i,j] x2_j + b_k`,
///   `fc.weight` `[2, D, D]` (`[k][i][j]` row-major), `fc.bias` `[2]`. Not symmetric.
/// `D` is read from the weight's last axis; every missing, mis-shaped or unexpected key is one error.
public struct PairLayer: Sendable {
    public enum Form: Sendable { case product, bilinear }

    public let form: Form
    let weight: [Float]
    let bias: [Float]
    public let dimension: Int

    init(weights: WeightSet, prefix: String, form: Form) throws {
        self.form = form
        let (layer, what) = form == .product
            ? ("fc1", "a SmartCosine pair classifier (fc1.weight [2, D], fc1.bias [2] optional)")
            : ("fc", "a Bilinear pair classifier (fc.weight [2, D, D], fc.bias [2])")
        var r = WeightReader(weights, prefix: prefix)
        let d = weights["\(layer).weight"]?.shape.last ?? 0
        dimension = d
        weight = r.take("\(layer).weight", form == .product ? [2, d] : [2, d, d])
        bias = form == .bilinear || r.has("\(layer).bias") ? r.take("\(layer).bias", [2]) : [0, 0]
        try r.finish(what: what)
        guard d > 0 else {
            throw CheckpointError(path: weights.source, message: "\(layer).weight must have D > 0 (\(what))")
        }
    }

    /// Logits `[P, 2]`; plain loops accumulated in double, rows of `left`, `right` are `D` floats.
    func logits(left: [Float], right: [Float], pairs: Int) -> [Float] {
        let d = dimension
        var z = [Float](repeating: 0, count: 2 * pairs)
        for p in 0..<pairs {
            for k in 0..<2 {
                var s = Double(0)
                for i in 0..<d {
                    switch form {
                    case .product:  // x1 ⊙ x2 in float32, as PyTorch forms it before the Linear
                        s += Double(left[p * d + i] * right[p * d + i]) * Double(weight[k * d + i])
                    case .bilinear:
                        var t = Double(0)
                        let row = (k * d + i) * d
                        for j in 0..<d { t += Double(weight[row + j]) * Double(right[p * d + j]) }
                        s += Double(left[p * d + i]) * t
                    }
                }
                z[2 * p + k] = Float(s + Double(bias[k]))
            }
        }
        return z
    }
}
