/// The GAN strategy's resize (docs/strategies.md, GAN): bilinear interpolation with the
/// *mirror* boundary of `scipy.ndimage.zoom(order=1, mode='mirror', grid_mode=True)`, the
/// call skimage's `resize` makes for the reference's `preprocess_gan`.
///
/// Per axis, output index `o` samples `s = (o + 0.5) * (in / out) - 0.5`, reflected about the
/// edge-pixel centres (`s < 0 -> -s`, `s > in - 1 -> 2(in - 1) - s`), with `i0 = floor(s)`,
/// `f = s - i0`, `i1 = min(i0 + 1, in - 1)`. The two-axis blend is computed in Double from
/// the Float inputs and rounded to Float once. An axis of length 1 always samples pixel 0.
public enum GANResize {
    /// One axis's sampling position: the two source indices and the weight of the second.
    struct Tap: Equatable { let i0: Int; let i1: Int; let f: Double }

    static func taps(input: Int, output: Int) -> [Tap] {
        guard input > 1 else { return Array(repeating: Tap(i0: 0, i1: 0, f: 0), count: output) }
        let ratio = Double(input) / Double(output)
        let last = Double(input - 1)
        return (0..<output).map { o in
            var s = (Double(o) + 0.5) * ratio - 0.5
            if s < 0 { s = -s }
            if s > last { s = 2 * last - s }
            let i0 = Int(s.rounded(.down))
            return Tap(i0: i0, i1: min(i0 + 1, input - 1), f: s - Double(i0))
        }
    }

    /// Resizes interleaved `[height, width, channels]` floats (row-major) to
    /// `[outHeight, outWidth, channels]`; the channel axis is not interpolated.
    /// `input.count` must be `height * width * channels`.
    public static func mirrorBilinear(_ input: UnsafeBufferPointer<Float>, height: Int, width: Int, channels: Int,
                                      outHeight: Int, outWidth: Int) -> [Float] {
        precondition(input.count == height * width * channels, "GANResize: input size")
        let ys = taps(input: height, output: outHeight), xs = taps(input: width, output: outWidth)
        var out = [Float](repeating: 0, count: outHeight * outWidth * channels)
        for (y, ty) in ys.enumerated() {
            let r0 = ty.i0 * width, r1 = ty.i1 * width
            for (x, tx) in xs.enumerated() {
                for c in 0..<channels {
                    let a = Double(input[(r0 + tx.i0) * channels + c]), b = Double(input[(r0 + tx.i1) * channels + c])
                    let d0 = Double(input[(r1 + tx.i0) * channels + c]), d1 = Double(input[(r1 + tx.i1) * channels + c])
                    let top = (1 - tx.f) * a + tx.f * b, bottom = (1 - tx.f) * d0 + tx.f * d1
                    out[(y * outWidth + x) * channels + c] = Float((1 - ty.f) * top + ty.f * bottom)
                }
            }
        }
        return out
    }
}

extension GANResize {
    /// The reference's `preprocess_gan` for one uncropped image: interleaved RGB bytes
    /// `[height, width, 3]` -> `(p - 127.5) / 128` -> mirror bilinear resize to `size x size`
    /// -> planar `[3, size, size]` (docs/strategies.md, GAN).
    public static func planarInput(rgb: UnsafeBufferPointer<UInt8>, height: Int, width: Int, size: Int = 256) -> [Float] {
        let standardised = rgb.map { Preprocess.meanScale.standardise($0) }
        let hwc = standardised.withUnsafeBufferPointer {
            mirrorBilinear($0, height: height, width: width, channels: 3, outHeight: size, outWidth: size)
        }
        let plane = size * size
        var out = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane { for c in 0..<3 { out[c * plane + i] = hwc[3 * i + c] } }
        return out
    }
}
