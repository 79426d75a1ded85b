/// Pixel standardisation applied to aligned 112 x 112 RGB crops (docs/backbone.md, "Inference").
public enum Preprocess: String, CaseIterable, Sendable {
    /// ArcFace, ScaleFace, PFE: `(p - 127.5) / 128`.
    case meanScale = "mean_scale"
    /// MagFace: `p / 255`.
    case scale = "scale"

    @inlinable
    public func standardise(_ p: UInt8) -> Float {
        switch self {
        case .meanScale: return (Float(p) - 127.5) / 128.0
        case .scale: return Float(p) / 255.0
        }
    }

    /// Converts interleaved RGB bytes (`[H, W, 3]`, row-major) into planar CHW floats,
    /// writing `3 * H * W` values starting at `out`.
    public func planar(rgb: UnsafeBufferPointer<UInt8>, height: Int, width: Int,
                       into out: UnsafeMutablePointer<Float>) {
        let plane = height * width
        for i in 0..<plane {
            out[i] = standardise(rgb[3 * i])
            out[plane + i] = standardise(rgb[3 * i + 1])
            out[2 * plane + i] = standardise(rgb[3 * i + 2])
        }
    }
}
