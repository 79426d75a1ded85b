import Imaging
import Foundation

/// A colour as floating-point R, G, B in 0...255.
struct FaceColor: Equatable {
    var r: Float, g: Float, b: Float
    init(_ r: Float, _ g: Float, _ b: Float) { self.r = r; self.g = g; self.b = b }
    func scaled(_ k: Float) -> FaceColor { FaceColor(r * k, g * k, b * k) }
    func mixed(with o: FaceColor, _ t: Float) -> FaceColor {
        FaceColor(r + (o.r - r) * t, g + (o.g - g) * t, b + (o.b - b) * t)
    }
}

/// A shape's signed distance in pixels (negative inside), evaluated in canvas coordinates.
/// Ellipses keep their first axis as a unit vector (cos, sin) so that no trigonometry runs per
/// pixel; build them with `ellipse(center:rx:ry:angle:)` and `ellipseOutline(...)`.
enum FaceShape {
    case oval(center: SIMD2<Double>, rx: Double, ry: Double, axis: SIMD2<Double>)
    /// The points within `radius` of the segment a-b.
    case capsule(a: SIMD2<Double>, b: SIMD2<Double>, radius: Double)
    /// The side of a line where `dot(normal, p) < offset` (normal of unit length).
    case halfPlane(normal: SIMD2<Double>, offset: Double)
    /// The band within `halfWidth` of an ellipse's outline (a ring for circles).
    case ring(center: SIMD2<Double>, rx: Double, ry: Double, axis: SIMD2<Double>, halfWidth: Double)

    /// An ellipse with semi-axes rx, ry, its first axis at `angle` radians from +x.
    static func ellipse(center: SIMD2<Double>, rx: Double, ry: Double, angle: Double) -> FaceShape {
        .oval(center: center, rx: rx, ry: ry, axis: SIMD2(cos(angle), sin(angle)))
    }

    static func ellipseOutline(center: SIMD2<Double>, rx: Double, ry: Double, angle: Double, halfWidth: Double) -> FaceShape {
        .ring(center: center, rx: rx, ry: ry, axis: SIMD2(cos(angle), sin(angle)), halfWidth: halfWidth)
    }

    func distance(_ p: SIMD2<Double>) -> Double {
        switch self {
        case let .oval(c, rx, ry, axis):
            return Self.ellipseDistance(p, c, rx, ry, axis)
        case let .capsule(a, b, radius):
            let ab = b - a, ap = p - a
            let len2 = (ab * ab).sum()
            let t = len2 > 0 ? min(1, max(0, (ap * ab).sum() / len2)) : 0
            let d = ap - ab * t
            return (d * d).sum().squareRoot() - radius
        case let .halfPlane(normal, offset):
            return (normal * p).sum() - offset
        case let .ring(c, rx, ry, axis, halfWidth):
            return abs(Self.ellipseDistance(p, c, rx, ry, axis)) - halfWidth
        }
    }

    /// First-order distance to an ellipse, (f - 1) / |grad f| with f the normalised radius:
    /// exact on circles and within a few percent near the outline otherwise, which is all
    /// anti-aliasing needs.
    @inline(__always)
    private static func ellipseDistance(_ p: SIMD2<Double>, _ c: SIMD2<Double>, _ rx: Double, _ ry: Double,
                                        _ axis: SIMD2<Double>) -> Double {
        let d = p - c
        let u = axis.x * d.x + axis.y * d.y, v = -axis.y * d.x + axis.x * d.y
        let nu = u / rx, nv = v / ry
        let f = (nu * nu + nv * nv).squareRoot()
        let gu = nu / rx, gv = nv / ry
        let g = (gu * gu + gv * gv).squareRoot()
        if f < 1e-9 || g < 1e-12 { return -min(rx, ry) }
        return (f - 1) * f / g
    }

    /// An axis-aligned box (min x, min y, max x, max y) outside which the distance exceeds 0.
    var bounds: (Double, Double, Double, Double)? {
        switch self {
        case let .oval(c, rx, ry, axis):
            let e = Self.extent(rx, ry, axis)
            return (c.x - e.x, c.y - e.y, c.x + e.x, c.y + e.y)
        case let .capsule(a, b, radius):
            return (min(a.x, b.x) - radius, min(a.y, b.y) - radius, max(a.x, b.x) + radius, max(a.y, b.y) + radius)
        case .halfPlane:
            return nil
        case let .ring(c, rx, ry, axis, w):
            let e = Self.extent(rx + w, ry + w, axis)
            return (c.x - e.x, c.y - e.y, c.x + e.x, c.y + e.y)
        }
    }

    /// Half-width and half-height of the box around a rotated ellipse.
    private static func extent(_ rx: Double, _ ry: Double, _ axis: SIMD2<Double>) -> SIMD2<Double> {
        SIMD2(((rx * axis.x) * (rx * axis.x) + (ry * axis.y) * (ry * axis.y)).squareRoot(),
              ((rx * axis.y) * (rx * axis.y) + (ry * axis.x) * (ry * axis.x)).squareRoot())
    }

    /// The shape under a similarity map (which keeps ellipses ellipses and scales distances).
    func mapped(by t: SimilarityTransform) -> FaceShape {
        let s = t.scale
        let rot = SIMD2(t.a, t.b) / s   // (cos, sin) of the map's rotation
        func turn(_ v: SIMD2<Double>) -> SIMD2<Double> { SIMD2(rot.x * v.x - rot.y * v.y, rot.y * v.x + rot.x * v.y) }
        switch self {
        case let .oval(c, rx, ry, axis):
            return .oval(center: t.apply(c), rx: rx * s, ry: ry * s, axis: turn(axis))
        case let .capsule(a, b, radius):
            return .capsule(a: t.apply(a), b: t.apply(b), radius: radius * s)
        case let .halfPlane(normal, offset):
            let n = turn(normal)
            // A point on the line (normal * offset) maps onto the new line.
            return .halfPlane(normal: n, offset: (n * t.apply(normal * offset)).sum())
        case let .ring(c, rx, ry, axis, w):
            return .ring(center: t.apply(c), rx: rx * s, ry: ry * s, axis: turn(axis), halfWidth: w * s)
        }
    }
}

/// One filled primitive: a shape, optionally intersected with a clip shape, painted with a
/// colour at an opacity. `feather` widens the anti-aliased edge (in canvas pixels) for soft
/// shading.
struct FaceStroke {
    var shape: FaceShape
    var clip: FaceShape?
    var color: FaceColor
    var opacity: Float = 1
    var feather: Double = 1

    func mapped(by t: SimilarityTransform) -> FaceStroke {
        FaceStroke(shape: shape.mapped(by: t), clip: clip?.mapped(by: t), color: color,
                   opacity: opacity, feather: feather * t.scale)
    }
}

/// A floating-point RGB canvas. Layout: `values[(y * width + x) * 3 + c]`, values in 0...255;
/// pixel (x, y) is the unit square centred on the point (x, y), as in `Aligner.warp`.
struct FaceCanvas {
    let width: Int
    let height: Int
    var values: [Float]

    init(width: Int, height: Int, color: FaceColor) {
        self.width = width
        self.height = height
        values = [Float](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            values[3 * i] = color.r; values[3 * i + 1] = color.g; values[3 * i + 2] = color.b
        }
    }

    /// Paints a stroke with coverage clamp(0.5 - distance / feather, 0, 1) per pixel centre:
    /// a one-pixel linear ramp across the outline, i.e. anti-aliased edges.
    mutating func paint(_ stroke: FaceStroke) {
        var x0 = 0, y0 = 0, x1 = width - 1, y1 = height - 1
        let pad = stroke.feather + 1
        if let b = stroke.shape.bounds {
            x0 = max(x0, Int((b.0 - pad).rounded(.down))); y0 = max(y0, Int((b.1 - pad).rounded(.down)))
            x1 = min(x1, Int((b.2 + pad).rounded(.up))); y1 = min(y1, Int((b.3 + pad).rounded(.up)))
        }
        if let clip = stroke.clip, let b = clip.bounds {
            x0 = max(x0, Int((b.0 - pad).rounded(.down))); y0 = max(y0, Int((b.1 - pad).rounded(.down)))
            x1 = min(x1, Int((b.2 + pad).rounded(.up))); y1 = min(y1, Int((b.3 + pad).rounded(.up)))
        }
        guard x0 <= x1, y0 <= y1 else { return }
        let inverseFeather = 1 / max(stroke.feather, 1e-6)
        let c = stroke.color
        values.withUnsafeMutableBufferPointer { v in
            for y in y0...y1 {
                for x in x0...x1 {
                    let p = SIMD2(Double(x), Double(y))
                    var coverage = min(1, max(0, 0.5 - stroke.shape.distance(p) * inverseFeather))
                    if coverage <= 0 { continue }
                    if let clip = stroke.clip {
                        coverage = min(coverage, min(1, max(0, 0.5 - clip.distance(p) * inverseFeather)))
                        if coverage <= 0 { continue }
                    }
                    let a = Float(coverage) * stroke.opacity
                    let i = (y * width + x) * 3
                    v[i] += (c.r - v[i]) * a
                    v[i + 1] += (c.g - v[i + 1]) * a
                    v[i + 2] += (c.b - v[i + 2]) * a
                }
            }
        }
    }

    /// Rounds to 8-bit RGB (half to even) after clamping to 0...255.
    func rgbImage() throws -> RGBImage {
        var px = [UInt8](repeating: 0, count: values.count)
        for i in 0..<values.count { px[i] = UInt8(min(255, max(0, values[i])).rounded(.toNearestOrEven)) }
        return try RGBImage(width: width, height: height, pixels: px)
    }
}
