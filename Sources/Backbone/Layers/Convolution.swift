import Core
import COpenBLAS

/// A square 2-D convolution (groups 1, dilation 1) with the following BatchNorm folded in,
/// and optionally a BatchNorm *preceding* it applied while gathering its input.
///
/// Activations use the channel-major batch layout `[C, N, H, W]` (CNHW): each channel is one
/// contiguous row of `N * H * W` values, so the whole batch is a single
/// `out[Cout, N*Ho*Wo] = W[Cout, Cin*k*k] x col[Cin*k*k, N*Ho*Wo]` sgemm.
/// `weight` keeps PyTorch's `[Cout, Cin, k, k]` order.
struct Convolution {
    let inChannels: Int
    let outChannels: Int
    let kernel: Int
    let stride: Int
    let padding: Int
    var weight: [Float]
    var bias: [Float]
    /// BatchNorm on the input, applied before zero padding (the reference's block order
    /// `BN -> conv`). Folding it into the weights would be wrong at the borders, where
    /// the padded zeros do not pass through the BatchNorm.
    var inputAffine: ChannelAffine?

    init(weight: [Float], inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int) {
        self.weight = weight
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.bias = [Float](repeating: 0, count: outChannels)
    }

    /// Folds a BatchNorm applied to this convolution's output into weights and bias (exact).
    mutating func fold(_ bn: ChannelAffine) {
        let k = inChannels * kernel * kernel
        for o in 0..<outChannels {
            for i in 0..<k { weight[o * k + i] *= bn.scale[o] }
            bias[o] = bias[o] * bn.scale[o] + bn.shift[o]
        }
    }

    func outputSize(_ n: Int) -> Int { (n + 2 * padding - kernel) / stride + 1 }

    var rows: Int { inChannels * kernel * kernel }

    /// `y[Cout, N, Ho, Wo] = conv(x[Cin, N, H, W]) + bias`. `col` must hold
    /// `rows * chunkImages * Ho * Wo` floats; the batch is processed `chunkImages` images at a time.
    func apply(_ x: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
               into y: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>, colCapacity: Int,
               threads: Int) {
        let ho = outputSize(height), wo = outputSize(width)
        let plane = ho * wo, total = batch * plane
        let perImage = rows * plane
        let chunk = max(1, min(batch, colCapacity / perImage))
        precondition(perImage <= colCapacity, "im2col buffer too small")
        var n0 = 0
        while n0 < batch {
            let n1 = min(batch, n0 + chunk)
            let cols = (n1 - n0) * plane
            im2col(x, batch: batch, height: height, width: width, images: n0..<n1, into: col, threads: threads)
            weight.withUnsafeBufferPointer { w in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                            Int32(outChannels), Int32(cols), Int32(rows), 1,
                            w.baseAddress, Int32(rows), col, Int32(cols),
                            0, y + n0 * plane, Int32(total))
            }
            n0 = n1
        }
    }

    /// Gathers patches of `images` into `col[rows, images.count * Ho * Wo]`, applying
    /// `inputAffine` to real pixels and leaving padding at zero.
    private func im2col(_ x: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                        images: Range<Int>, into col: UnsafeMutablePointer<Float>, threads: Int) {
        let ho = outputSize(height), wo = outputSize(width)
        let cols = images.count * ho * wo
        let k = kernel, s = stride, pad = padding
        let inPlane = height * width, inRow = batch * inPlane
        let affine = inputAffine
        parallelRanges(rows, threads: threads, minChunk: 8) { rowRange in
            for r in rowRange {
                let c = r / (k * k), ky = (r / k) % k, kx = r % k
                let sc = affine?.scale[c] ?? 1, sh = affine?.shift[c] ?? 0
                // Output columns whose input column ix = ox*s - pad + kx lies inside the image.
                let lo = max(0, (pad - kx + s - 1) / s)
                let hi = min(wo, (width - 1 + pad - kx) / s + 1)
                var dst = col + r * cols
                for n in images {
                    let src = x + c * inRow + n * inPlane
                    for oy in 0..<ho {
                        let iy = oy * s - pad + ky
                        if iy < 0 || iy >= height || hi <= lo {
                            dst.update(repeating: 0, count: wo)
                        } else {
                            if lo > 0 { dst.update(repeating: 0, count: lo) }
                            if hi < wo { (dst + hi).update(repeating: 0, count: wo - hi) }
                            let row = src + iy * width + (lo * s - pad + kx)
                            if s == 1 {
                                if affine == nil {
                                    (dst + lo).update(from: row, count: hi - lo)
                                } else {
                                    for i in 0..<(hi - lo) { dst[lo + i] = row[i] * sc + sh }
                                }
                            } else {
                                for i in 0..<(hi - lo) { dst[lo + i] = row[i * s] * sc + sh }
                            }
                        }
                        dst += wo
                    }
                }
            }
        }
    }
}
