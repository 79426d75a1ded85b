/// Where the five landmarks (left eye, right eye, nose tip, left and right mouth corners, in
/// image left-to-right order) should land in an aligned crop (docs/alignment.md).
public enum AlignmentTemplate: String, CaseIterable, Sendable {
    /// InsightFace / ArcFace: fixed pixel positions for a 112 x 112 crop; for another crop
    /// size they are scaled by `size / 112` (as InsightFace's `estimate_norm` does for 128).
    case arcface
    /// The reference code's normalised template, multiplied by `max(w, h)` and offset by
    /// `(w / 2, h / 2)`.
    case reference

    /// The ArcFace pixel template for 112 x 112.
    public static let arcface112: [SIMD2<Double>] = [
        SIMD2(38.2946, 51.6963), SIMD2(73.5318, 51.5014), SIMD2(56.0252, 71.7366),
        SIMD2(41.5493, 92.3655), SIMD2(70.7299, 92.2041),
    ]

    /// The reference's normalised template (unit = max(w, h), origin at the crop centre).
    public static let referenceNormalised: [SIMD2<Double>] = [
        SIMD2(-0.158084, -0.038426), SIMD2(0.156534, -0.040166), SIMD2(0.000225, 0.140505),
        SIMD2(-0.129024, 0.324692), SIMD2(0.131517, 0.323251),
    ]

    /// The five destination points for a `width` x `height` crop.
    public func points(width: Int, height: Int) -> [SIMD2<Double>] {
        switch self {
        case .arcface:
            // InsightFace scales the 112 template by size / 112 (square crops only); a
            // non-square crop uses the width's ratio for x and the height's for y.
            let sx = Double(width) / 112, sy = Double(height) / 112
            return Self.arcface112.map { SIMD2($0.x * sx, $0.y * sy) }
        case .reference:
            let m = Double(max(width, height))
            let offset = SIMD2(Double(width) / 2, Double(height) / 2)
            return Self.referenceNormalised.map { $0 * m + offset }
        }
    }
}
