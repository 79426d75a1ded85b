/// What follows a convolution's `+ bias`, applied while its output is written: nothing,
/// PReLU with per-channel slopes, a leaky ReLU with one slope followed by a gain (StyleGAN2's
/// fused leaky ReLU, docs/strategies.md, GAN), or the residual add (`residual` has the
/// output's CNHW layout).
enum Epilogue {
    case none
    case prelu([Float])
    case leakyReLU(slope: Float, gain: Float)
    case residual(UnsafePointer<Float>)

    /// Writes `count` values (bias already added) of channel `channel` at `offset` of `y`.
    @inline(__always)
    func store(_ values: UnsafePointer<Float>, count: Int, channel: Int, into y: UnsafeMutablePointer<Float>, at offset: Int) {
        let dst = y + offset
        switch self {
        case .none:
            dst.update(from: values, count: count)
        case .prelu(let slopes):
            let a = slopes[channel]
            for i in 0..<count {
                let v = values[i]
                dst[i] = v > 0 ? v : v * a
            }
        case .leakyReLU(let a, let g):
            for i in 0..<count {
                let v = values[i]
                dst[i] = (v > 0 ? v : v * a) * g
            }
        case .residual(let r):
            let src = r + offset
            for i in 0..<count { dst[i] = values[i] + src[i] }
        }
    }

    /// Applies `+ bias` and the epilogue in place on channel-major `y[C, plane]`.
    func apply(_ y: UnsafeMutablePointer<Float>, channels: Int, plane: Int, bias: [Float], threads: Int) {
        switch self {
        case .none: Pointwise.bias(y, channels: channels, plane: plane, bias: bias, threads: threads)
        case .prelu(let s): Pointwise.biasPReLU(y, channels: channels, plane: plane, bias: bias, slope: s, threads: threads)
        case .leakyReLU(let a, let g):
            Pointwise.biasLeakyReLU(y, channels: channels, plane: plane, bias: bias, slope: a, gain: g, threads: threads)
        case .residual(let r): Pointwise.biasResidual(y, channels: channels, plane: plane, bias: bias, residual: r, threads: threads)
        }
    }
}
