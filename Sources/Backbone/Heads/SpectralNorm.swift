/// `torch.nn.utils.spectral_norm` in eval mode (docs/strategies.md, "Heads"): no power
/// iteration; the stored `weight_u` and `weight_v` give `sigma = u . (W_orig v)` and the
/// weight is `W_orig / sigma`, recomputed at every forward from the same stored tensors.
/// `W_orig` is `[rows, columns]`, `u` has `rows` and `v` `columns` values.
enum SpectralNorm {
    /// `dot(u, mv(W_orig, v))`, accumulated in Double (PyTorch uses float32; the difference is
    /// a rounding of the last bits of sigma).
    static func sigma(weight: [Float], u: [Float], v: [Float]) -> Float {
        let columns = v.count
        var s = 0.0
        for r in 0..<u.count {
            var row = 0.0
            for c in 0..<columns { row += Double(weight[r * columns + c]) * Double(v[c]) }
            s += Double(u[r]) * row
        }
        return Float(s)
    }

    /// `W_orig / sigma` elementwise in float32, as PyTorch divides.
    static func weight(original: [Float], u: [Float], v: [Float]) -> [Float] {
        let s = sigma(weight: original, u: u, v: v)
        return original.map { $0 / s }
    }
}
