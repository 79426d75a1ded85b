import COpenBLAS

/// A 3 x 3, stride 1, padding 1 convolution computed with Winograd's minimal filtering
/// F(2x2, 3x3): each 2 x 2 output tile needs 16 multiplications per input/output channel pair
/// instead of 36, which turns the convolution into 16 independent sgemms
/// `M[xi][Cout, T] = U[xi][Cout, Cin] x V[xi][Cin, T]` over all T tiles of the batch.
/// The transforms only use 0, +-1 and +-1/2, so rounding stays at the level of direct
/// convolution. Same CNHW activations, bias and optional input BatchNorm as `Convolution`.
struct WinogradConvolution {
    let inChannels: Int
    let outChannels: Int
    /// `U[16, Cout, Cin]`: transformed filters `G g G^T`.
    let transformed: [Float]
    let bias: [Float]
    let inputAffine: ChannelAffine?

    init(_ conv: Convolution) {
        precondition(conv.kernel == 3 && conv.stride == 1 && conv.padding == 1)
        inChannels = conv.inChannels
        outChannels = conv.outChannels
        bias = conv.bias
        inputAffine = conv.inputAffine
        let k = outChannels, c = inChannels
        var u = [Float](repeating: 0, count: 16 * k * c)
        for o in 0..<k {
            for i in 0..<c {
                let g = Array(conv.weight[((o * c + i) * 9)..<((o * c + i) * 9 + 9)])
                // Gg: 4 x 3.
                var gg = [Float](repeating: 0, count: 12)
                for col in 0..<3 {
                    let g0 = g[col], g1 = g[3 + col], g2 = g[6 + col]
                    gg[col] = g0
                    gg[3 + col] = 0.5 * (g0 + g1 + g2)
                    gg[6 + col] = 0.5 * (g0 - g1 + g2)
                    gg[9 + col] = g2
                }
                // (Gg) G^T: 4 x 4.
                for row in 0..<4 {
                    let a = gg[row * 3], b = gg[row * 3 + 1], cc = gg[row * 3 + 2]
                    let v = [a, 0.5 * (a + b + cc), 0.5 * (a - b + cc), cc]
                    for col in 0..<4 { u[((row * 4 + col) * k + o) * c + i] = v[col] }
                }
            }
        }
        transformed = u
    }

    /// Floats of the V (and M) buffers per image at this resolution.
    static func floatsPerImage(channels: Int, height: Int, width: Int) -> Int {
        16 * channels * ((height + 1) / 2) * ((width + 1) / 2)
    }

    /// `y[Cout, N, H, W] = conv(x[Cin, N, H, W])` without bias (added by the epilogue).
    /// `v` and `m` each hold `capacity` floats.
    func apply(_ x: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
               into y: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
               capacity: Int, threads: Int) {
        let th = (h + 1) / 2, tw = (w + 1) / 2
        let perImage = 16 * max(inChannels, outChannels) * th * tw
        precondition(perImage <= capacity, "Winograd buffers too small")
        let chunk = max(1, min(batch, capacity / perImage))
        var n0 = 0
        while n0 < batch {
            let n1 = min(batch, n0 + chunk)
            let tiles = (n1 - n0) * th * tw
            inputTransform(x, batch: batch, height: h, width: w, images: n0..<n1, into: v, threads: threads)
            transformed.withUnsafeBufferPointer { u in
                for xi in 0..<16 {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                Int32(outChannels), Int32(tiles), Int32(inChannels), 1,
                                u.baseAddress! + xi * outChannels * inChannels, Int32(inChannels),
                                v + xi * inChannels * tiles, Int32(tiles),
                                0, m + xi * outChannels * tiles, Int32(tiles))
                }
            }
            outputTransform(m, batch: batch, height: h, width: w, images: n0..<n1, into: y, threads: threads)
            n0 = n1
        }
    }

    /// `V[xi, c, t] = (B^T d B)[xi]` for the 4 x 4 input patch `d` of tile `t`, read from a
    /// zero-padded copy of each plane (the input BatchNorm applies to real pixels only).
    private func inputTransform(_ x: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
                                images: Range<Int>, into v: UnsafeMutablePointer<Float>, threads: Int) {
        let th = (h + 1) / 2, tw = (w + 1) / 2
        let tiles = images.count * th * tw
        let ph = 2 * th + 2, pw = 2 * tw + 2
        let c = inChannels
        let affine = inputAffine
        parallelRanges(c, threads: threads) { range in
            let pad = UnsafeMutablePointer<Float>.allocate(capacity: ph * pw)
            pad.initialize(repeating: 0, count: ph * pw)
            defer { pad.deallocate() }
            for ch in range {
                let sc = affine?.scale[ch] ?? 1, sh = affine?.shift[ch] ?? 0
                var t = 0
                for n in images {
                    let src = x + (ch * batch + n) * h * w
                    for r in 0..<h {
                        let dst = pad + (r + 1) * pw + 1, row = src + r * w
                        if affine == nil {
                            dst.update(from: row, count: w)
                        } else {
                            for i in 0..<w { dst[i] = row[i] * sc + sh }
                        }
                    }
                    let out = v + ch * tiles
                    let stride = c * tiles
                    for ty in 0..<th {
                        for tx in 0..<tw {
                            let p = pad + 2 * ty * pw + 2 * tx
                            // Rows of B^T d.
                            var r0 = (p[0] - p[2 * pw], p[1] - p[2 * pw + 1], p[2] - p[2 * pw + 2], p[3] - p[2 * pw + 3])
                            var r1 = (p[pw] + p[2 * pw], p[pw + 1] + p[2 * pw + 1], p[pw + 2] + p[2 * pw + 2], p[pw + 3] + p[2 * pw + 3])
                            var r2 = (p[2 * pw] - p[pw], p[2 * pw + 1] - p[pw + 1], p[2 * pw + 2] - p[pw + 2], p[2 * pw + 3] - p[pw + 3])
                            var r3 = (p[pw] - p[3 * pw], p[pw + 1] - p[3 * pw + 1], p[pw + 2] - p[3 * pw + 2], p[pw + 3] - p[3 * pw + 3])
                            func store(_ row: Int, _ q: inout (Float, Float, Float, Float)) {
                                let o = out + (row * 4) * stride + t
                                o[0] = q.0 - q.2
                                o[stride] = q.1 + q.2
                                o[2 * stride] = q.2 - q.1
                                o[3 * stride] = q.1 - q.3
                            }
                            store(0, &r0); store(1, &r1); store(2, &r2); store(3, &r3)
                            t += 1
                        }
                    }
                }
            }
        }
    }

    /// `y = A^T m A` per tile: 2 x 2 outputs written where they fall inside the image.
    private func outputTransform(_ m: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
                                 images: Range<Int>, into y: UnsafeMutablePointer<Float>, threads: Int) {
        let th = (h + 1) / 2, tw = (w + 1) / 2
        let tiles = images.count * th * tw
        let k = outChannels
        parallelRanges(k, threads: threads) { range in
            for o in range {
                let src = m + o * tiles
                let stride = k * tiles
                var t = 0
                for n in images {
                    let dst = y + (o * batch + n) * h * w
                    for ty in 0..<th {
                        for tx in 0..<tw {
                            let q = src + t
                            let a0 = q[0] + q[4 * stride] + q[8 * stride]
                            let a1 = q[stride] + q[5 * stride] + q[9 * stride]
                            let a2 = q[2 * stride] + q[6 * stride] + q[10 * stride]
                            let a3 = q[3 * stride] + q[7 * stride] + q[11 * stride]
                            let b0 = q[4 * stride] - q[8 * stride] - q[12 * stride]
                            let b1 = q[5 * stride] - q[9 * stride] - q[13 * stride]
                            let b2 = q[6 * stride] - q[10 * stride] - q[14 * stride]
                            let b3 = q[7 * stride] - q[11 * stride] - q[15 * stride]
                            let y0 = 2 * ty, x0 = 2 * tx
                            dst[y0 * w + x0] = a0 + a1 + a2
                            if x0 + 1 < w { dst[y0 * w + x0 + 1] = a1 - a2 - a3 }
                            if y0 + 1 < h {
                                dst[(y0 + 1) * w + x0] = b0 + b1 + b2
                                if x0 + 1 < w { dst[(y0 + 1) * w + x0 + 1] = b1 - b2 - b3 }
                            }
                            t += 1
                        }
                    }
                }
            }
        }
    }
}
