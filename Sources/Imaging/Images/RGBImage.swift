/// An 8-bit RGB image. Layout: `pixels[(y * width + x) * 3 + c]`, rows top to bottom,
/// channels R, G, B interleaved, no row padding.
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    /// Throws `ImageError` when `pixels.count != width * height * 3` or a side is not positive.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0 else {
            throw ImageError(path: nil, problem: .invalidSize(width: width, height: height))
        }
        guard pixels.count == width * height * 3 else {
            throw ImageError(path: nil, problem: .bufferSize(expected: width * height * 3, got: pixels.count))
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A uniformly coloured image.
    public init(width: Int, height: Int, red: UInt8, green: UInt8, blue: UInt8) throws {
        guard width > 0, height > 0 else {
            throw ImageError(path: nil, problem: .invalidSize(width: width, height: height))
        }
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: p.count, by: 3) {
            p[i] = red; p[i + 1] = green; p[i + 2] = blue
        }
        self.width = width
        self.height = height
        self.pixels = p
    }

    /// The (r, g, b) triple at column `x`, row `y`.
    public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
