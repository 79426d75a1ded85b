import Foundation

/// `scipy.ndimage.gaussian_filter(image, sigma)` on 8-bit images, bit for bit, with scipy's
/// defaults (order 0, mode `reflect`, truncate 4.0): the blur of the `blurred_scale` strategy
/// (docs/strategies.md, "blurred_scale").
///
/// - The one `sigma` applies to every axis, the colour axis included, so an RGB image is also
///   blurred across its three channels (with sigma 3 it comes out nearly grey).
/// - The 1-D kernel is `exp(-0.5 / sigma^2 * t^2)` for `t = -R...R`, `R = Int(4 * sigma + 0.5)`,
///   divided by its sum taken in numpy's pairwise order (`numpySum`), in float64.
/// - The axes are filtered in turn (rows, columns, channels); every pass is stored as uint8
///   with a C cast, i.e. truncated toward zero, before the next pass reads it.
/// - Each output sample is `x[i] * w[0] + sum_{k = R...1} (x[i-k] + x[i+k]) * w[k]`, summed
///   from the outermost pair inwards without fused multiply-adds, as scipy's symmetric
///   `correlate1d` loop does.
/// - `reflect` repeats the edge sample (`d c b a | a b c d | d c b a`), folding again as often
///   as the kernel is longer than the axis.
/// - A sigma of at most 1e-15 leaves the image as it is (scipy skips such axes).
public struct GaussianBlur: Sendable, Equatable {
    public let sigma: Double
    /// `weights[k]` for `k = 0...R` (the kernel is symmetric).
    public let weights: [Double]

    public init(sigma: Double) {
        self.sigma = sigma
        guard sigma > 1e-15 else {
            weights = [1]
            return
        }
        let radius = Int(4.0 * sigma + 0.5)
        let c = -0.5 / (sigma * sigma)
        let phi = (-radius...radius).map { t in exp(c * Double(t * t)) }
        let total = Self.numpySum(phi[...])
        weights = phi[radius...].map { $0 / total }
    }

    public var radius: Int { weights.count - 1 }

    /// numpy's pairwise float64 sum (`np.sum` of a contiguous array): a plain loop below 8
    /// values, eight interleaved partial sums up to 128, halves (at a multiple of 8) above.
    static func numpySum(_ a: ArraySlice<Double>) -> Double {
        let n = a.count, s = a.startIndex
        if n < 8 {
            var r = 0.0
            for v in a { r += v }
            return r
        }
        if n <= 128 {
            var r = Array(a[s..<(s + 8)])
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += a[s + i + j] }
                i += 8
            }
            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                res += a[s + i]
                i += 1
            }
            return res
        }
        var half = n / 2
        half -= half % 8
        return numpySum(a[s..<(s + half)]) + numpySum(a[(s + half)...])
    }

    /// scipy's `reflect` index of sample `j` of an axis of length `n`.
    @inline(__always)
    static func reflect(_ j: Int, _ n: Int) -> Int {
        let period = 2 * n
        var m = j % period
        if m < 0 { m += period }
        return m < n ? m : period - 1 - m
    }

    /// The blurred image.
    public func apply(_ image: RGBImage) -> RGBImage {
        // The shape is the image's own, so the pixel count matches.
        try! RGBImage(width: image.width, height: image.height,
                      pixels: apply(image.pixels, shape: [image.height, image.width, 3]))
    }

    /// The blur of a row-major uint8 array of any shape (`pixels.count` = product of `shape`).
    public func apply(_ pixels: [UInt8], shape: [Int]) -> [UInt8] {
        precondition(shape.reduce(1, *) == pixels.count, "shape \(shape) does not hold \(pixels.count) values")
        guard sigma > 1e-15 else { return pixels }
        var current = pixels
        var strides = [Int](repeating: 1, count: shape.count)
        for a in stride(from: shape.count - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * shape[a + 1] }
        for axis in shape.indices where !pixels.isEmpty {
            current = pass(current, length: shape[axis], stride: strides[axis])
        }
        return current
    }

    /// One 1-D pass along the axis of `length` samples `stride` apart, into a new uint8 array.
    private func pass(_ input: [UInt8], length n: Int, stride: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: input.count)
        let r = radius
        var line = [Double](repeating: 0, count: n + 2 * r)
        let lines = input.count / n
        for l in 0..<lines {
            // Line l starts at (l / stride) * stride * n + l % stride.
            let start = (l / stride) * stride * n + l % stride
            for j in -r..<(n + r) { line[j + r] = Double(input[start + Self.reflect(j, n) * stride]) }
            for i in 0..<n {
                let c = i + r
                var acc = line[c] * weights[0]
                var k = r
                while k >= 1 {
                    acc += (line[c - k] + line[c + k]) * weights[k]
                    k -= 1
                }
                output[start + i * stride] = UInt8(acc)
            }
        }
        return output
    }
}
