import Foundation

/// The reference's pair values from classifier logits (docs/strategies.md, Pair classifiers):
/// `L = log_softmax(z)`, then `p = softmax(L)` again (the reference's wrapper), both in float32
/// as PyTorch computes them (`x - max - log Σ exp(x - max)`, then `exp(x - max) / Σ exp(x - max)`).
/// `same = p1`; `uncertainty = 1 - max(p0, p1)`. Both saturate: `p1` is exactly 1 once `z1 - z0`
/// exceeds about 17, and the uncertainty is then exactly 0.
public struct PairProbabilities: Sendable, Equatable {
    public var same: [Float]
    public var uncertainty: [Float]

    /// `logits` is `[P, 2]` row-major.
    public init(logits: [Float]) {
        let pairs = logits.count / 2
        same = [Float](repeating: 0, count: pairs)
        uncertainty = [Float](repeating: 0, count: pairs)
        for r in 0..<pairs {
            let l = Self.softmax(Self.softmax((logits[2 * r], logits[2 * r + 1]), logarithm: true), logarithm: false)
            same[r] = l.1
            uncertainty[r] = 1 - max(l.0, l.1)
        }
    }

    /// Softmax (or log-softmax) of two float32 values, in PyTorch's order of operations.
    static func softmax(_ z: (Float, Float), logarithm: Bool) -> (Float, Float) {
        let m = max(z.0, z.1)
        let e0 = exp(z.0 - m), e1 = exp(z.1 - m)
        let s = e0 + e1
        if logarithm {
            let ls = log(s)
            return (z.0 - m - ls, z.1 - m - ls)
        }
        return (e0 / s, e1 / s)
    }
}
