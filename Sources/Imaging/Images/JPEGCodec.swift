import CJPEG

/// JPEG decoding through the TurboJPEG API (libjpeg-turbo), which returns error codes
/// instead of calling libjpeg's default `error_exit` (which would end the process).
///
/// Settings match Pillow's defaults: accurate integer IDCT, fancy (smooth) chroma upsampling,
/// so pixels equal Pillow's for the same libjpeg-turbo. Grayscale JPEGs are replicated to
/// RGB. EXIF orientation is not applied (as `Image.open` without `exif_transpose`). CMYK and
/// YCCK JPEGs are refused. A file that ends early is an error (as Pillow's "image file is
/// truncated"), and so is corrupt entropy-coded data; warnings that leave the picture whole
/// (extraneous bytes before a marker, unknown JFIF version) are not.
enum JPEGCodec {
    /// Turns a failed TurboJPEG call into an error unless it only reported a benign warning.
    static func check(_ status: Int32, _ handle: tjhandle, path: String?) throws {
        guard status != 0 else { return }
        let why = String(cString: tjGetErrorStr2(handle))
        if why.contains("Premature end") {
            throw ImageError(path: path, problem: .truncated(format: "JPEG", detail: why))
        }
        // TurboJPEG's error code stays "warning" once any warning happened, even when a
        // fatal error follows, so the message itself decides.
        let warning = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
        if !(warning && isBenignWarning(why)) {
            throw ImageError(path: path, problem: .corrupt(format: "JPEG", detail: why))
        }
    }

    /// libjpeg warnings after which the picture is still whole: stray bytes between segments,
    /// unknown JFIF versions or thumbnails. Warnings about entropy-coded data are not benign.
    static func isBenignWarning(_ message: String) -> Bool {
        message.contains("extraneous bytes before marker") || message.hasPrefix("Warning:")
    }

    static func isJPEG(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, path: String?) throws -> RGBImage {
        guard let handle = tjInitDecompress() else {
            throw ImageError(path: path, problem: .unreadable("TurboJPEG could not start a decompressor"))
        }
        defer { tjDestroy(handle) }
        let source = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = tjDecompressHeader3(handle, source, UInt(bytes.count), &width, &height, &subsampling, &colorspace)
        try check(header, handle, path: path)
        let w = Int(width), h = Int(height)
        guard w > 0, h > 0, w * h <= PNGCodec.maxPixels else {
            throw ImageError(path: path, problem: .unsupported(format: "JPEG", detail: "\(w)x\(h) pixels"))
        }
        if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
            throw ImageError(path: path, problem: .unsupported(format: "JPEG", detail: "CMYK colour space"))
        }
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        let status = pixels.withUnsafeMutableBufferPointer {
            tjDecompress2(handle, source, UInt(bytes.count), $0.baseAddress, width, 0, height,
                          Int32(TJPF_RGB.rawValue), TJFLAG_ACCURATEDCT)
        }
        try check(status, handle, path: path)
        return try RGBImage(width: w, height: h, pixels: pixels)
    }
}
