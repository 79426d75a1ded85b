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

    /// Logits `[P, 2]` in float32, in PyTorch's order of operations (PairKernels.swift): SmartCosine
    /// forms `x1 ⊙ x2` and takes each logit as an eight-lane dot with its weight row; Bilinear
    /// computes `x1 · W_k` as MKL's sgemm does, then an eight-lane dot with `x2`, as
    /// `torch.nn.Bilinear`'s two products. The bias is added last. Rows of `left`, `right` are
    /// `D` floats.
    func logits(left: [Float], right: [Float], pairs: Int) -> [Float] {
        let d = dimension
        var z = [Float](repeating: 0, count: 2 * pairs)
        left.withUnsafeBufferPointer { lp in
            right.withUnsafeBufferPointer { rp in
                weight.withUnsafeBufferPointer { wp in
                    let l = lp.baseAddress!, r = rp.baseAddress!, w = wp.baseAddress!
                    switch form {
                    case .product:
                        var x = [Float](repeating: 0, count: d)
                        x.withUnsafeMutableBufferPointer { xp in
                            for p in 0..<pairs {
                                for i in 0..<d { xp[i] = l[p * d + i] * r[p * d + i] }
                                for k in 0..<2 { z[2 * p + k] = PairKernels.dot8(xp.baseAddress!, w + k * d, d) + bias[k] }
                            }
                        }
                    case .bilinear:
                        let tile = 32
                        var buf = [Float](repeating: 0, count: tile * d)
                        buf.withUnsafeMutableBufferPointer { bp in
                            let b = bp.baseAddress!
                            for first in stride(from: 0, to: pairs, by: tile) {
                                let rows = min(tile, pairs - first)
                                for k in 0..<2 {
                                    PairKernels.rowTimesMatrix(l + first * d, rows: rows, w + k * d * d, n: d, m: d, into: b)
                                    for t in 0..<rows {
                                        z[2 * (first + t) + k] = PairKernels.dot8(b + t * d, r + (first + t) * d, d) + bias[k]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return z
    }
}
