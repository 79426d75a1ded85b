import Core
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

    /// `y[Cout, N, H, W] = epilogue(conv(x[Cin, N, H, W]) + bias)`.
    /// `v` and `m` each hold `capacity` floats.
    func apply(_ x: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
               into y: UnsafeMutablePointer<Float>, epilogue: Epilogue, v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
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
            outputTransform(m, batch: batch, height: h, width: w, images: n0..<n1, into: y, epilogue: epilogue, threads: threads)
            n0 = n1
        }
    }

    /// `V[xi, c, t] = (B^T d B)[xi]` for the 4 x 4 input patch `d` of tile `t`, read from a
    /// zero-padded copy of each plane (the input BatchNorm applies to real pixels only).
    /// Computed a row of tiles at a time: `B^T d` on whole padded rows (contiguous, vectorised),
    /// then `(.) B` on even/odd columns, writing each of the 16 outputs as a contiguous run.
    private func inputTransform(_ x: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
                                images: Range<Int>, into v: UnsafeMutablePointer<Float>, threads: Int) {
        let th = (h + 1) / 2, tw = (w + 1) / 2
        let tiles = images.count * th * tw
        let ph = 2 * th + 2, pw = 2 * tw + 2
        let c = inChannels
        let affine = inputAffine
        parallelRanges(c, threads: threads) { range in
            let pad = UnsafeMutablePointer<Float>.allocate(capacity: ph * pw + 4 * pw)
            pad.initialize(repeating: 0, count: ph * pw + 4 * pw)
            defer { pad.deallocate() }
            let rows = pad + ph * pw
            let stride = c * tiles
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
                    for ty in 0..<th {
                        let p0 = pad + 2 * ty * pw, p1 = p0 + pw, p2 = p1 + pw, p3 = p2 + pw
                        let r0 = rows, r1 = rows + pw, r2 = rows + 2 * pw, r3 = rows + 3 * pw
                        for j in 0..<pw {
                            r0[j] = p0[j] - p2[j]
                            r1[j] = p1[j] + p2[j]
                            r2[j] = p2[j] - p1[j]
                            r3[j] = p1[j] - p3[j]
                        }
                        for k in 0..<4 {
                            let r = rows + k * pw
                            let o0 = out + (4 * k) * stride + t, o1 = o0 + stride, o2 = o1 + stride, o3 = o2 + stride
                            for tx in 0..<tw {
                                let e0 = r[2 * tx], d0 = r[2 * tx + 1], e1 = r[2 * tx + 2], d1 = r[2 * tx + 3]
                                o0[tx] = e0 - e1
                                o1[tx] = d0 + e1
                                o2[tx] = e1 - d0
                                o3[tx] = d0 - d1
                            }
                        }
                        t += tw
                    }
                }
            }
        }
    }

    /// `y = A^T m A` per tile, a row of tiles at a time, followed by the epilogue; the 2 x 2
    /// outputs are written where they fall inside the image.
    private func outputTransform(_ m: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
                                 images: Range<Int>, into y: UnsafeMutablePointer<Float>,
                                 epilogue: Epilogue, threads: Int) {
        let th = (h + 1) / 2, tw = (w + 1) / 2
        let tiles = images.count * th * tw
        let k = outChannels
        parallelRanges(k, threads: threads) { range in
            let rowBuffer = UnsafeMutablePointer<Float>.allocate(capacity: 4 * tw)
            defer { rowBuffer.deallocate() }
            let top = rowBuffer, bottom = rowBuffer + 2 * tw
            let stride = k * tiles
            for o in range {
                let b = bias[o]
                var t = 0
                for n in images {
                    let plane = (o * batch + n) * h * w
                    for ty in 0..<th {
                        let q = m + o * tiles + t
                        for tx in 0..<tw {
                            let a0 = q[tx] + q[4 * stride + tx] + q[8 * stride + tx]
                            let a1 = q[stride + tx] + q[5 * stride + tx] + q[9 * stride + tx]
                            let a2 = q[2 * stride + tx] + q[6 * stride + tx] + q[10 * stride + tx]
                            let a3 = q[3 * stride + tx] + q[7 * stride + tx] + q[11 * stride + tx]
                            let b0 = q[4 * stride + tx] - q[8 * stride + tx] - q[12 * stride + tx]
                            let b1 = q[5 * stride + tx] - q[9 * stride + tx] - q[13 * stride + tx]
                            let b2 = q[6 * stride + tx] - q[10 * stride + tx] - q[14 * stride + tx]
                            let b3 = q[7 * stride + tx] - q[11 * stride + tx] - q[15 * stride + tx]
                            top[2 * tx] = a0 + a1 + a2 + b
                            top[2 * tx + 1] = a1 - a2 - a3 + b
                            bottom[2 * tx] = b0 + b1 + b2 + b
                            bottom[2 * tx + 1] = b1 - b2 - b3 + b
                        }
                        let y0 = 2 * ty
                        epilogue.store(top, count: w, channel: o, into: y, at: plane + y0 * w)
                        if y0 + 1 < h { epilogue.store(bottom, count: w, channel: o, into: y, at: plane + (y0 + 1) * w) }
                        t += tw
                    }
                }
            }
        }
    }
}
