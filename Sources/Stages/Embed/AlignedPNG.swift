import CPNG
import Foundation

/// Minimal PNG reading for `embed` (aligned crops): any PNG colour type, converted by libpng's
/// simplified API to 8-bit interleaved RGB `[H, W, 3]`.
enum AlignedPNG {
    static func decode(path: String) throws -> (width: Int, height: Int, rgb: [UInt8]) {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            png_image_free(&image)
            if !FileManager.default.fileExists(atPath: path) { throw InputError(file: path, "no such image file") }
            throw InputError(file: path, "is not a readable PNG (\(message))")
        }
        image.format = png_uint_32(PNG_FORMAT_RGB)
        let w = Int(image.width), h = Int(image.height)
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        let ok = rgb.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, png_int_32(w * 3), nil) }
        guard ok != 0 else {
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            png_image_free(&image)
            throw InputError(file: path, "PNG data is damaged (\(message))")
        }
        return (w, h, rgb)
    }
}
