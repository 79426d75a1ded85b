import Foundation

/// A similarity of the plane without reflection: `p -> s R(theta) p + t`, stored as
/// `a = s cos(theta)`, `b = s sin(theta)`, so the matrix is `[[a, -b, tx], [b, a, ty]]`.
public struct SimilarityTransform: Equatable, Sendable {
    public var a: Double
    public var b: Double
    public var tx: Double
    public var ty: Double

    public init(a: Double, b: Double, tx: Double, ty: Double) {
        self.a = a; self.b = b; self.tx = tx; self.ty = ty
    }

    /// Builds the map from a uniform scale, a rotation in radians (counter-clockwise in
    /// x-right/y-up axes, i.e. clockwise on screen where y points down) and a translation.
    public init(scale: Double, rotation: Double, translation: SIMD2<Double>) {
        self.init(a: scale * cos(rotation), b: scale * sin(rotation), tx: translation.x, ty: translation.y)
    }

    public var scale: Double { (a * a + b * b).squareRoot() }
    public var rotation: Double { atan2(b, a) }
    public var affine: AffineTransform { AffineTransform(a, -b, tx, b, a, ty) }

    public func apply(_ p: SIMD2<Double>) -> SIMD2<Double> {
        SIMD2(a * p.x - b * p.y + tx, b * p.x + a * p.y + ty)
    }

    /// The least-squares similarity taking `source[i]` to `destination[i]`: minimises
    /// `sum_i |s R source[i] + t - destination[i]|^2` over s > 0, proper rotations R and t.
    ///
    /// This is Umeyama's (1991) closed form with the reflection excluded, which is what
    /// skimage's `SimilarityTransform.estimate` (used by InsightFace's `face_align`) computes.
    /// In two dimensions the SVD is not needed: with centred points p_i, q_i,
    ///   a = sum(p.x q.x + p.y q.y) / sum |p|^2,   b = sum(p.x q.y - p.y q.x) / sum |p|^2,
    ///   t = mean(q) - [[a, -b], [b, a]] mean(p).
    /// (Umeyama's rotation U diag(1, det(U V)) V^T is the rotation by atan2(b, a), and its scale
    /// trace(S D) / var(p) equals sqrt(a^2 + b^2) whether or not det(A) is negative:
    /// docs/alignment.md works it through.)
    ///
    /// Returns nil when fewer than two point pairs are given, the counts differ, a coordinate is
    /// not finite, or the source points all coincide or the destination points all coincide
    /// (skimage returns a matrix of NaN there).
    public static func estimate(from source: [SIMD2<Double>], to destination: [SIMD2<Double>]) -> SimilarityTransform? {
        let n = source.count
        guard n >= 2, destination.count == n else { return nil }
        for p in source + destination where !(p.x.isFinite && p.y.isFinite) { return nil }
        let count = Double(n)
        let sourceMean = source.reduce(SIMD2<Double>(0, 0), +) / count
        let destinationMean = destination.reduce(SIMD2<Double>(0, 0), +) / count
        var sourceEnergy = 0.0, destinationEnergy = 0.0, dotSum = 0.0, crossSum = 0.0
        for i in 0..<n {
            let p = source[i] - sourceMean, q = destination[i] - destinationMean
            sourceEnergy += p.x * p.x + p.y * p.y
            destinationEnergy += q.x * q.x + q.y * q.y
            dotSum += p.x * q.x + p.y * q.y
            crossSum += p.x * q.y - p.y * q.x
        }
        guard sourceEnergy > 0, destinationEnergy > 0 else { return nil }
        let a = dotSum / sourceEnergy, b = crossSum / sourceEnergy
        let tx = destinationMean.x - (a * sourceMean.x - b * sourceMean.y)
        let ty = destinationMean.y - (b * sourceMean.x + a * sourceMean.y)
        return SimilarityTransform(a: a, b: b, tx: tx, ty: ty)
    }

    /// The inverse similarity (a similarity too); nil when the scale is zero.
    public func inverted() -> SimilarityTransform? {
        let s2 = a * a + b * b
        guard s2 > 0, s2.isFinite else { return nil }
        let ia = a / s2, ib = -b / s2
        return SimilarityTransform(a: ia, b: ib, tx: -(ia * tx - ib * ty), ty: -(ib * tx + ia * ty))
    }
}
