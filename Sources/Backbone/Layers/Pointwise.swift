import Core
/// Per-channel epilogues on channel-major activations `[C, plane]` (plane = N * H * W).
enum Pointwise {
    /// `y = prelu(y + bias)` with one slope per channel.
    static func biasPReLU(_ y: UnsafeMutablePointer<Float>, channels: Int, plane: Int,
                          bias: [Float], slope: [Float], threads: Int) {
        parallelRanges(channels, threads: threads) { range in
            for c in range {
                let b = bias[c], a = slope[c]
                let p = y + c * plane
                for i in 0..<plane {
                    let v = p[i] + b
                    p[i] = v > 0 ? v : v * a
                }
            }
        }
    }

    /// `y = leaky_relu(y + bias, slope) * gain`, one slope for all channels.
    static func biasLeakyReLU(_ y: UnsafeMutablePointer<Float>, channels: Int, plane: Int,
                              bias: [Float], slope: Float, gain: Float, threads: Int) {
        parallelRanges(channels, threads: threads) { range in
            for c in range {
                let b = bias[c]
                let p = y + c * plane
                for i in 0..<plane {
                    let v = p[i] + b
                    p[i] = (v > 0 ? v : v * slope) * gain
                }
            }
        }
    }

    /// `y = y + bias + residual`.
    static func biasResidual(_ y: UnsafeMutablePointer<Float>, channels: Int, plane: Int,
                             bias: [Float], residual: UnsafePointer<Float>, threads: Int) {
        parallelRanges(channels, threads: threads) { range in
            for c in range {
                let b = bias[c]
                let p = y + c * plane, r = residual + c * plane
                for i in 0..<plane { p[i] = p[i] + b + r[i] }
            }
        }
    }

    /// `y = y + bias`.
    static func bias(_ y: UnsafeMutablePointer<Float>, channels: Int, plane: Int, bias: [Float], threads: Int) {
        parallelRanges(channels, threads: threads) { range in
            for c in range {
                let b = bias[c]
                let p = y + c * plane
                for i in 0..<plane { p[i] += b }
            }
        }
    }
}
