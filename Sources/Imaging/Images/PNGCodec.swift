import Core
import CPNG

/// PNG decoding and encoding through libpng's simplified API, which reports errors in
/// `png_image.message` instead of longjmp-ing (Swift cannot catch a longjmp).
///
/// Decoding rules (the same as Pillow's `convert("RGB")` except for 16 bits):
/// - gray is replicated to R, G, B; 1/2/4-bit samples scale to 0...255; palettes are looked up;
/// - alpha and tRNS transparency are dropped, not composited, so stored colours are kept;
/// - 16-bit samples become `round(v / 257)`: the flag `PNG_IMAGE_FLAG_16BIT_sRGB` stops libpng
///   from treating 16-bit data as linear light and gamma-encoding it. Pillow instead keeps the
///   high byte (`v >> 8`) for 16-bit RGB, at most 1 lower.
/// - interlaced 16-bit files: libpng 1.6.39's simplified API corrupts rows when it reduces them
///   to 8 bits, so they are read as 16-bit (linear in, linear out: values unchanged) and
///   reduced here. With an alpha channel that 16-bit output is premultiplied by alpha and is
///   divided back: exact for opaque pixels, within 1 for alpha >= 257 (1/255), approximate
///   below, black where alpha is 0.
/// - a gAMA or cHRM chunk that differs markedly from sRGB makes libpng convert to sRGB; files
///   written by common tools have none or the sRGB value and are returned as stored.
enum PNGCodec {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Images above this many pixels are refused before allocating (a corrupt header could
    /// otherwise ask for terabytes).
    static let maxPixels = 1 << 28

    static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// libpng's messages for data that stops early.
    static func isTruncation(_ message: String) -> Bool {
        message.contains("beyond end of data") || message.contains("Not enough image data")
            || message.contains("Read Error") || message.contains("unexpected end")
    }

    static func failure(_ path: String?, _ message: String) -> ImageError {
        ImageError(path: path, problem: isTruncation(message)
                   ? .truncated(format: "PNG", detail: message) : .corrupt(format: "PNG", detail: message))
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, path: String?) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            // begin_read frees its state on failure.
            throw failure(path, message(&image))
        }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= maxPixels else {
            png_image_free(&image)
            throw ImageError(path: path, problem: .unsupported(format: "PNG",
                detail: "\(width)x\(height) pixels, more than \(maxPixels)"))
        }
        let hasAlpha = image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        // IHDR's interlace byte sits at a fixed offset after the signature.
        let interlaced = bytes.count > 28 && bytes[28] != 0
        if interlaced && image.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0 {
            return try decodeSixteenBit(&image, hasAlpha: hasAlpha, path: path)
        }
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        // PNG_FORMAT_RGB and PNG_FORMAT_RGBA, spelled out: Swift does not import those macros.
        let rgb = UInt32(PNG_FORMAT_FLAG_COLOR)
        image.format = hasAlpha ? rgb | UInt32(PNG_FORMAT_FLAG_ALPHA) : rgb
        let channels = hasAlpha ? 4 : 3
        var buffer = [UInt8](repeating: 0, count: width * height * channels)
        let ok = buffer.withUnsafeMutableBytes {
            // finish_read frees its state whether or not it succeeds.
            png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * channels), nil)
        }
        guard ok != 0 else { throw failure(path, message(&image)) }
        if hasAlpha {
            // Drop alpha in place: pixel i's RGB moves from 4i to 3i, never overtaking a read.
            buffer.withUnsafeMutableBufferPointer { b in
                for i in 0..<(width * height) {
                    b[3 * i] = b[4 * i]; b[3 * i + 1] = b[4 * i + 1]; b[3 * i + 2] = b[4 * i + 2]
                }
            }
            buffer.removeLast(width * height)
        }
        return try RGBImage(width: width, height: height, pixels: buffer)
    }

    /// Reads 16-bit samples unchanged (no gamma flag: linear to linear) and rounds them to 8 bits.
    static func decodeSixteenBit(_ image: inout png_image, hasAlpha: Bool, path: String?) throws -> RGBImage {
        let width = Int(image.width), height = Int(image.height)
        let channels = hasAlpha ? 4 : 3
        var format = UInt32(PNG_FORMAT_FLAG_LINEAR) | UInt32(PNG_FORMAT_FLAG_COLOR)
        if hasAlpha { format |= UInt32(PNG_FORMAT_FLAG_ALPHA) }
        image.format = format
        var wide = [UInt16](repeating: 0, count: width * height * channels)
        let ok = wide.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * channels), nil)
        }
        guard ok != 0 else { throw failure(path, message(&image)) }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        // round(v / 257) = floor((2v + 257) / 514), in integers.
        @inline(__always) func eight(_ v: UInt32) -> UInt8 { UInt8((2 * v + 257) / 514) }
        for i in 0..<(width * height) {
            for c in 0..<3 {
                var v = UInt32(wide[i * channels + c])
                if hasAlpha {
                    let a = UInt32(wide[i * channels + 3])
                    v = a == 0 ? 0 : min(65535, (v * 65535 + a / 2) / a)
                }
                pixels[i * 3 + c] = eight(v)
            }
        }
        return try RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Writes an 8-bit RGB PNG (no gamma-changing chunks beyond libpng's sRGB default).
    /// `fast`: libpng's `PNG_IMAGE_FLAG_FAST` (no row filters, light zlib compression), about
    /// 3x faster and still lossless, for generated datasets.
    static func encode(_ rgb: RGBImage, to path: String, fast: Bool = false) throws {
        let failure = writeAtomically(to: path, reportingFailure: { tmp in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            image.width = UInt32(rgb.width)
            image.height = UInt32(rgb.height)
            image.format = UInt32(PNG_FORMAT_FLAG_COLOR)
            if fast { image.flags = UInt32(PNG_IMAGE_FLAG_FAST) }
            let ok = rgb.pixels.withUnsafeBytes {
                png_image_write_to_file(&image, tmp, 0, $0.baseAddress, Int32(rgb.width * 3), nil)
            }
            return ok != 0 ? nil : message(&image)
        })
        if let failure { throw ImageError(path: path, problem: .writeFailed(failure)) }
    }
}
