import Core
import Foundation

/// How strongly each degradation was applied to one picture, each in 0...1 (0 = not applied).
/// `docs/synthetic.md` defines what each level does; `overall` combines them.
public struct DegradationSeverity: Equatable, Sendable {
    public var blur: Double
    public var noise: Double
    public var dark: Double
    public var occlusion: Double
    public var downscale: Double

    public init(blur: Double = 0, noise: Double = 0, dark: Double = 0, occlusion: Double = 0, downscale: Double = 0) {
        self.blur = blur; self.noise = noise; self.dark = dark; self.occlusion = occlusion; self.downscale = downscale
    }

    public static let clean = DegradationSeverity()

    /// 1 - prod(1 - s_k): 0 when clean, 1 when any one degradation is at full strength, and it
    /// grows with every degradation added (as the chance that at least one of several
    /// independent failures happens).
    public var overall: Double {
        1 - (1 - blur) * (1 - noise) * (1 - dark) * (1 - occlusion) * (1 - downscale)
    }

    /// Draws a mix: a `cleanFraction` of pictures are clean; the others get each degradation
    /// with probability 0.35 (at least one), at a severity 0.05 + 0.95 u^2 with u uniform in
    /// [0, 1) (mean 0.37: mild degradations are common, severe ones rarer).
    static func draw(rng: inout SplitMix64, cleanFraction: Double) -> DegradationSeverity {
        if rng.chance(cleanFraction) { return .clean }
        var s = [Double](repeating: 0, count: 5)
        func level(_ rng: inout SplitMix64) -> Double { let u = rng.uniform(0, 1); return 0.05 + 0.95 * u * u }
        for k in 0..<5 where rng.chance(0.35) { s[k] = level(&rng) }
        if s.allSatisfy({ $0 == 0 }) { s[rng.index(below: 5)] = level(&rng) }
        return DegradationSeverity(blur: s[0], noise: s[1], dark: s[2], occlusion: s[3], downscale: s[4])
    }
}

/// The degradations, applied in the order a camera meets them: occlusion (in the scene), blur
/// (optics), down-scaling (resolution), darkening (exposure), noise (sensor). Lengths are in
/// units of `unit` = face frame size / 112 raw pixels, so a severity means the same at any
/// `--size`.
public enum FaceDegradation {
    /// Gaussian blur sigma at severity 1, in units.
    public static let maxBlurSigma = 7.0
    /// Noise standard deviation at severity 1, in gray levels (0...255 scale).
    public static let maxNoiseSigma: Float = 30
    /// Occluded fraction of the face's bounding square at severity 1.
    public static let maxOcclusionArea = 0.45
    /// Down-scaling factor at severity s: 1 + 11 s (down by up to 12x, then back up).
    public static let maxDownscaleFactor = 12.0

    static func apply(_ s: DegradationSeverity, to canvas: inout FaceCanvas, unit: Double,
                      faceCenter: SIMD2<Double>, faceRadius: Double, rng: inout SplitMix64) {
        if s.occlusion > 0 { occlude(&canvas, severity: s.occlusion, faceCenter: faceCenter, faceRadius: faceRadius, rng: &rng) }
        if s.blur > 0 { blur(&canvas, sigma: maxBlurSigma * s.blur * unit) }
        if s.downscale > 0 { downscale(&canvas, factor: 1 + (maxDownscaleFactor - 1) * s.downscale) }
        if s.dark > 0 { darken(&canvas, severity: s.dark) }
        if s.noise > 0 { addNoise(&canvas, sigma: maxNoiseSigma * Float(s.noise), rng: &rng) }
    }

    /// A solid rectangle of area `maxOcclusionArea * s` times the face's bounding square
    /// (side 2 * faceRadius), aspect ratio in [0.5, 2], centred within half a radius of the face
    /// centre, in a random colour.
    static func occlude(_ canvas: inout FaceCanvas, severity: Double, faceCenter: SIMD2<Double>, faceRadius: Double,
                        rng: inout SplitMix64) {
        let area = maxOcclusionArea * severity * 4 * faceRadius * faceRadius
        let aspect = exp(rng.uniform(log(0.5), log(2)))
        let w = (area * aspect).squareRoot(), h = (area / aspect).squareRoot()
        let c = faceCenter + SIMD2(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)) * faceRadius
        let color = FaceColor(Float(rng.uniform(0, 255)), Float(rng.uniform(0, 255)), Float(rng.uniform(0, 255)))
        let x0 = max(0, Int((c.x - w / 2).rounded())), x1 = min(canvas.width, Int((c.x + w / 2).rounded()))
        let y0 = max(0, Int((c.y - h / 2).rounded())), y1 = min(canvas.height, Int((c.y + h / 2).rounded()))
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            for x in x0..<x1 {
                let i = (y * canvas.width + x) * 3
                canvas.values[i] = color.r; canvas.values[i + 1] = color.g; canvas.values[i + 2] = color.b
            }
        }
    }

    /// Separable Gaussian blur (kernel radius ceil(3 sigma), normalised, edges clamped).
    static func blur(_ canvas: inout FaceCanvas, sigma: Double) {
        guard sigma > 0.05 else { return }
        let r = Int((3 * sigma).rounded(.up))
        var k = (-r...r).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = k.reduce(0, +)
        k = k.map { $0 / total }
        var tmp = [Float](repeating: 0, count: canvas.values.count)
        convolve(canvas.values, into: &tmp, width: canvas.width, height: canvas.height, kernel: k, alongRows: true)
        convolve(tmp, into: &canvas.values, width: canvas.width, height: canvas.height, kernel: k, alongRows: false)
    }

    /// One pass of a centred odd-length kernel along rows (x) or columns (y) of an interleaved
    /// RGB buffer, clamping at the edges.
    private static func convolve(_ source: [Float], into target: inout [Float], width w: Int, height h: Int,
                                 kernel k: [Float], alongRows: Bool) {
        let r = k.count / 2
        source.withUnsafeBufferPointer { src in
            target.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    for x in 0..<w {
                        var a: (Float, Float, Float) = (0, 0, 0)
                        for j in -r...r {
                            let i = alongRows ? (y * w + min(w - 1, max(0, x + j))) * 3
                                              : (min(h - 1, max(0, y + j)) * w + x) * 3
                            let kw = k[j + r]
                            a.0 += kw * src[i]; a.1 += kw * src[i + 1]; a.2 += kw * src[i + 2]
                        }
                        let o = (y * w + x) * 3
                        dst[o] = a.0; dst[o + 1] = a.1; dst[o + 2] = a.2
                    }
                }
            }
        }
    }

    /// Area-averages down to round(size / factor) pixels (at least 4), then bilinear back up
    /// with pixel centres aligned (OpenCV's `INTER_AREA` then `INTER_LINEAR` convention).
    static func downscale(_ canvas: inout FaceCanvas, factor: Double) {
        let w = canvas.width, h = canvas.height
        let sw = max(4, Int((Double(w) / factor).rounded())), sh = max(4, Int((Double(h) / factor).rounded()))
        guard sw < w || sh < h else { return }
        let small = resizeArea(canvas.values, w, h, sw, sh)
        var out = [Float](repeating: 0, count: w * h * 3)
        let fx = Double(sw) / Double(w), fy = Double(sh) / Double(h)
        for y in 0..<h {
            let sy = min(Double(sh - 1), max(0, (Double(y) + 0.5) * fy - 0.5))
            let y0 = Int(sy), y1 = min(sh - 1, y0 + 1), ty = Float(sy - Double(y0))
            for x in 0..<w {
                let sx = min(Double(sw - 1), max(0, (Double(x) + 0.5) * fx - 0.5))
                let x0 = Int(sx), x1 = min(sw - 1, x0 + 1), tx = Float(sx - Double(x0))
                for c in 0..<3 {
                    let p00 = small[(y0 * sw + x0) * 3 + c], p01 = small[(y0 * sw + x1) * 3 + c]
                    let p10 = small[(y1 * sw + x0) * 3 + c], p11 = small[(y1 * sw + x1) * 3 + c]
                    out[(y * w + x) * 3 + c] = (1 - ty) * ((1 - tx) * p00 + tx * p01) + ty * ((1 - tx) * p10 + tx * p11)
                }
            }
        }
        canvas.values = out
    }

    /// Exact area averaging: each output pixel is the mean of the input over its footprint,
    /// fractional pixels weighted by overlap (separable).
    private static func resizeArea(_ v: [Float], _ w: Int, _ h: Int, _ sw: Int, _ sh: Int) -> [Float] {
        func weights(_ n: Int, _ m: Int) -> [[(Int, Float)]] {
            let step = Double(n) / Double(m)
            return (0..<m).map { j in
                let a = Double(j) * step, b = Double(j + 1) * step
                var row: [(Int, Float)] = []
                var i = Int(a)
                while Double(i) < b && i < n {
                    let overlap = min(b, Double(i + 1)) - max(a, Double(i))
                    if overlap > 0 { row.append((i, Float(overlap / step))) }
                    i += 1
                }
                return row
            }
        }
        let wx = weights(w, sw), wy = weights(h, sh)
        var rows = [Float](repeating: 0, count: sw * h * 3)
        for y in 0..<h {
            for x in 0..<sw {
                for (i, k) in wx[x] {
                    for c in 0..<3 { rows[(y * sw + x) * 3 + c] += k * v[(y * w + i) * 3 + c] }
                }
            }
        }
        var out = [Float](repeating: 0, count: sw * sh * 3)
        for y in 0..<sh {
            for (j, k) in wy[y] {
                for x in 0..<sw {
                    for c in 0..<3 { out[(y * sw + x) * 3 + c] += k * rows[(j * sw + x) * 3 + c] }
                }
            }
        }
        return out
    }

    /// Under-exposure: v -> 255 * (1 - 0.7 s) * (v / 255)^(1 + 1.2 s).
    static func darken(_ canvas: inout FaceCanvas, severity s: Double) {
        let gain = Float(1 - 0.7 * s), gamma = Float(1 + 1.2 * s)
        for i in 0..<canvas.values.count {
            canvas.values[i] = 255 * gain * powf(max(0, canvas.values[i]) / 255, gamma)
        }
    }

    /// Independent Gaussian noise of standard deviation `sigma` on every channel of every pixel
    /// (the final clamp to 0...255 happens when the picture is quantised). Normal deviates come
    /// in pairs from Marsaglia's polar method (no trigonometry).
    static func addNoise(_ canvas: inout FaceCanvas, sigma: Float, rng: inout SplitMix64) {
        let n = canvas.values.count
        var i = 0
        while i < n {
            let u = Float(rng.next() >> 40) / Float(1 << 23) - 1
            let v = Float(rng.next() >> 40) / Float(1 << 23) - 1
            let s = u * u + v * v
            if s >= 1 || s == 0 { continue }
            let k = sigma * (-2 * logf(s) / s).squareRoot()
            canvas.values[i] += k * u
            if i + 1 < n { canvas.values[i + 1] += k * v }
            i += 2
        }
    }
}
