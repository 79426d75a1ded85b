/// StyleGAN2's minibatch standard deviation with group size 4 and one feature
/// (docs/strategies.md, GAN). With `G = min(B, 4)` and `M = B / G`, sample `b` belongs to
/// column `m = b mod M` and its group is `{m, m + M, m + 2M, m + 3M}` (strided, as PyTorch's
/// `view(G, -1, ...)`). `S_m` is the mean over (c, h, w) of `sqrt(Var_g + 1e-8)` with the
/// population variance over the group; one image alone gives exactly `sqrt(1e-8)`.
enum MinibatchStddev {
    /// Whether the rule can split a batch: `B mod min(B, 4) == 0` (the reference raises otherwise).
    static func canGroup(batch: Int) -> Bool { batch >= 1 && batch % min(batch, 4) == 0 }

    /// Writes channel `channels` of `x[channels + 1, batch, plane]` (CNHW) from channels `0..<channels`:
    /// the constant `S_(b mod M)` over image `b`'s plane. Requires `canGroup(batch:)`.
    static func append(_ x: UnsafeMutablePointer<Float>, channels: Int, batch: Int, plane: Int) {
        precondition(canGroup(batch: batch), "minibatch stddev: batch \(batch) is not a multiple of min(batch, 4)")
        let g = min(batch, 4), m = batch / g
        let row = batch * plane
        for col in 0..<m {
            var acc = 0.0
            for c in 0..<channels {
                for p in 0..<plane {
                    var mean: Float = 0
                    for k in 0..<g { mean += x[c * row + (k * m + col) * plane + p] }
                    mean /= Float(g)
                    var v: Float = 0
                    for k in 0..<g {
                        let d = x[c * row + (k * m + col) * plane + p] - mean
                        v += d * d
                    }
                    acc += Double((v / Float(g) + 1e-8).squareRoot())
                }
            }
            let s = Float(acc / Double(channels * plane))
            for k in 0..<g { (x + channels * row + (k * m + col) * plane).update(repeating: s, count: plane) }
        }
    }
}
