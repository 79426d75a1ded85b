import Core

/// StyleGAN2's `Blur`: `upfirdn2d(x, K, up 1, down 1, pad (p0, p1, p0, p1))` on every channel
/// (docs/strategies.md, GAN). Each plane is zero-padded by `pad0` (top, left) and `pad1`
/// (bottom, right), then convolved (valid, K flipped as a true convolution) with the 4 x 4
/// kernel. `step` 2 computes only the even output samples, the ones a following stride-2
/// 1 x 1 convolution reads; output side `(n + pad0 + pad1 - 4) / step + 1`.
struct Blur {
    /// The kernel as stored (`[4, 4]` row-major, the checkpoint's `kernel` buffer).
    let kernel: [Float]
    let pad0: Int
    let pad1: Int
    let step: Int

    func outputSize(_ n: Int) -> Int { (n + pad0 + pad1 - 4) / step + 1 }

    /// `y[p, Ho, Wo] = blur(x[p, H, W])` for `planes` contiguous planes (CNHW: C * N planes).
    func apply(_ x: UnsafePointer<Float>, planes: Int, height h: Int, width w: Int,
               into y: UnsafeMutablePointer<Float>, threads: Int) {
        let ho = outputSize(h), wo = outputSize(w)
        // Flipped: out[oy, ox] = sum_ij f[i][j] * padded[oy * step + i][ox * step + j].
        let f = (0..<16).map { kernel[15 - $0] }
        let p0 = pad0, s = step
        parallelRanges(planes, threads: threads) { range in
            for p in range {
                let src = x + p * h * w, dst = y + p * ho * wo
                for oy in 0..<ho {
                    let y0 = oy * s - p0
                    for ox in 0..<wo {
                        let x0 = ox * s - p0
                        var acc: Float = 0
                        if y0 >= 0, y0 + 3 < h, x0 >= 0, x0 + 3 < w {
                            var q = src + y0 * w + x0
                            for i in 0..<4 {
                                acc += f[4 * i] * q[0] + f[4 * i + 1] * q[1] + f[4 * i + 2] * q[2] + f[4 * i + 3] * q[3]
                                q += w
                            }
                        } else {
                            for i in 0..<4 {
                                let iy = y0 + i
                                guard iy >= 0, iy < h else { continue }
                                for j in 0..<4 {
                                    let ix = x0 + j
                                    if ix >= 0, ix < w { acc += f[4 * i + j] * src[iy * w + ix] }
                                }
                            }
                        }
                        dst[oy * wo + ox] = acc
                    }
                }
            }
        }
    }
}
