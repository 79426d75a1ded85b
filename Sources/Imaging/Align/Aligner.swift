/// Five-point face alignment (docs/alignment.md): a least-squares similarity from the
/// landmarks to a template, then an affine warp with bilinear sampling.
public struct Aligner: Sendable {
    public var template: AlignmentTemplate
    public var width: Int
    public var height: Int

    public init(template: AlignmentTemplate = .arcface, width: Int = 112, height: Int = 112) {
        self.template = template
        self.width = width
        self.height = height
    }

    /// The similarity taking the image's landmarks onto the template; nil when the landmarks
    /// are degenerate (all at one point, or not finite).
    public func transform(landmarks: [SIMD2<Double>]) -> SimilarityTransform? {
        SimilarityTransform.estimate(from: landmarks, to: template.points(width: width, height: height))
    }

    /// The aligned crop; `AlignmentError.degenerateLandmarks` when no transform exists.
    public func align(_ image: RGBImage, landmarks: [SIMD2<Double>]) throws -> RGBImage {
        guard landmarks.count == 5, let t = transform(landmarks: landmarks) else {
            throw AlignmentError.degenerateLandmarks(landmarks.map { [$0.x, $0.y] })
        }
        return try Aligner.warp(image: image, transform: t.affine, width: width, height: height)
    }

    /// Warps `image` by `transform` (source pixel coordinates -> destination pixel
    /// coordinates) into a `width` x `height` image.
    ///
    /// Convention (that of `cv2.warpAffine(src, M, (w, h), flags=INTER_LINEAR,
    /// borderMode=BORDER_CONSTANT, borderValue=0)`): pixel (i, j) of an image is the point
    /// x = j, y = i (pixel centres at integer coordinates). Each destination pixel (x, y) is
    /// mapped through the inverse transform to (x', y'); with x0 = floor(x'), fx = x' - x0
    /// (likewise y), the value is
    ///   (1-fy) ((1-fx) P[y0][x0] + fx P[y0][x0+1]) + fy ((1-fx) P[y0+1][x0] + fx P[y0+1][x0+1]),
    /// where P is 0 outside the image (a constant black border), then rounded half to even
    /// and clamped to 0...255. The arithmetic is exact float64, whereas OpenCV quantises the
    /// fractions to 1/32 pixel and uses 15-bit fixed-point weights; docs/alignment.md gives the
    /// measured differences. A non-invertible transform gives a black image; a size that is not
    /// positive is an `ImageError`.
    public static func warp(image: RGBImage, transform: AffineTransform, width: Int = 112, height: Int = 112) throws -> RGBImage {
        guard width > 0, height > 0 else {
            throw ImageError(path: nil, problem: .invalidSize(width: width, height: height))
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        guard let inv = transform.inverted() else {
            return try RGBImage(width: width, height: height, pixels: out)
        }
        let sw = image.width, sh = image.height
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                // Sample channel c of source pixel (x, y), 0 outside.
                @inline(__always) func at(_ x: Int, _ y: Int, _ c: Int) -> Double {
                    guard x >= 0, x < sw, y >= 0, y < sh else { return 0 }
                    return Double(src[(y * sw + x) * 3 + c])
                }
                for y in 0..<height {
                    let dy = Double(y)
                    for x in 0..<width {
                        let dx = Double(x)
                        let sx = inv.m00 * dx + inv.m01 * dy + inv.m02
                        let sy = inv.m10 * dx + inv.m11 * dy + inv.m12
                        let o = (y * width + x) * 3
                        // Beyond one pixel outside every neighbour is border: stays 0. The
                        // bound also keeps the Int conversion below in range.
                        guard sx > -1, sy > -1, sx < Double(sw), sy < Double(sh) else { continue }
                        let fx0 = sx.rounded(.down), fy0 = sy.rounded(.down)
                        let fx = sx - fx0, fy = sy - fy0
                        let x0 = Int(fx0), y0 = Int(fy0)
                        let interior = x0 >= 0 && y0 >= 0 && x0 + 1 < sw && y0 + 1 < sh
                        for c in 0..<3 {
                            let p00, p01, p10, p11: Double
                            if interior {
                                let i = (y0 * sw + x0) * 3 + c
                                p00 = Double(src[i]); p01 = Double(src[i + 3])
                                p10 = Double(src[i + sw * 3]); p11 = Double(src[i + sw * 3 + 3])
                            } else {
                                p00 = at(x0, y0, c); p01 = at(x0 + 1, y0, c)
                                p10 = at(x0, y0 + 1, c); p11 = at(x0 + 1, y0 + 1, c)
                            }
                            let top = (1 - fx) * p00 + fx * p01
                            let bottom = (1 - fx) * p10 + fx * p11
                            let v = (1 - fy) * top + fy * bottom
                            dst[o + c] = UInt8(min(255, max(0, v.rounded(.toNearestOrEven))))
                        }
                    }
                }
            }
        }
        return try RGBImage(width: width, height: height, pixels: out)
    }
}

/// Landmarks from which no alignment can be computed.
public enum AlignmentError: Error, CustomStringConvertible, Equatable {
    case degenerateLandmarks([[Double]])

    public var description: String {
        switch self {
        case .degenerateLandmarks(let points):
            return "cannot align: expected 5 distinct finite landmarks, got \(points)"
        }
    }
}
