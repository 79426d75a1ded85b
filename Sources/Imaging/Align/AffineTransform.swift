/// A 2-D affine map `p -> A p + t` stored as the 2 x 3 matrix
/// `[[m00, m01, m02], [m10, m11, m12]]` (row-major, the layout of OpenCV's warp matrices and of
/// the first two rows of skimage's `params`). Points are (x, y) = (column, row).
public struct AffineTransform: Equatable, Sendable {
    public var m00, m01, m02: Double
    public var m10, m11, m12: Double

    public init(_ m00: Double, _ m01: Double, _ m02: Double,
                _ m10: Double, _ m11: Double, _ m12: Double) {
        self.m00 = m00; self.m01 = m01; self.m02 = m02
        self.m10 = m10; self.m11 = m11; self.m12 = m12
    }

    public static let identity = AffineTransform(1, 0, 0, 0, 1, 0)

    /// The matrix as two rows of three, row-major.
    public var rows: [[Double]] { [[m00, m01, m02], [m10, m11, m12]] }

    public func apply(_ p: SIMD2<Double>) -> SIMD2<Double> {
        SIMD2(m00 * p.x + m01 * p.y + m02, m10 * p.x + m11 * p.y + m12)
    }

    public var determinant: Double { m00 * m11 - m01 * m10 }

    /// The inverse map, or nil when the linear part is singular.
    public func inverted() -> AffineTransform? {
        let det = determinant
        guard det != 0, det.isFinite else { return nil }
        let i00 = m11 / det, i01 = -m01 / det
        let i10 = -m10 / det, i11 = m00 / det
        return AffineTransform(i00, i01, -(i00 * m02 + i01 * m12),
                               i10, i11, -(i10 * m02 + i11 * m12))
    }
}
