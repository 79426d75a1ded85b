import COpenBLAS

/// `y[N, out] = x[N, in] * W^T + b`, with `weight` in PyTorch's `[out, in]` order and any
/// following BatchNorm1d folded into it.
struct Linear {
    let inFeatures: Int
    let outFeatures: Int
    var weight: [Float]
    var bias: [Float]

    init(weight: [Float], bias: [Float]?, inFeatures: Int, outFeatures: Int) {
        self.weight = weight
        self.bias = bias ?? [Float](repeating: 0, count: outFeatures)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// Folds a following BatchNorm1d (exact up to rounding).
    mutating func fold(_ bn: ChannelAffine) {
        for o in 0..<outFeatures {
            for i in 0..<inFeatures { weight[o * inFeatures + i] *= bn.scale[o] }
            bias[o] = bias[o] * bn.scale[o] + bn.shift[o]
        }
    }

    func apply(_ x: [Float], rows: Int) -> [Float] {
        precondition(x.count == rows * inFeatures)
        var y = [Float](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows { for o in 0..<outFeatures { y[r * outFeatures + o] = bias[o] } }
        if rows == 0 { return y }
        weight.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { xb in
                y.withUnsafeMutableBufferPointer { yb in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                                Int32(rows), Int32(outFeatures), Int32(inFeatures), 1,
                                xb.baseAddress, Int32(inFeatures), w.baseAddress, Int32(inFeatures),
                                1, yb.baseAddress, Int32(outFeatures))
                }
            }
        }
        return y
    }
}
