import Foundation

extension RGBImage {
    /// Decodes a PNG or JPEG file, chosen by its first bytes (not its extension), into 8-bit
    /// RGB. See `PNGCodec` and `JPEGCodec` for the conversion rules. Errors are `ImageError`s
    /// naming `path`: missing, unreadable, unknown format, corrupt or truncated.
    public static func decode(path: String) throws -> RGBImage {
        let bytes = try readFile(path)
        return try decode(bytes: bytes, path: path)
    }

    /// Decodes PNG or JPEG bytes held in memory; `path` only names them in errors.
    public static func decode(bytes: [UInt8], path: String? = nil) throws -> RGBImage {
        try bytes.withUnsafeBytes { raw in
            if raw.count >= 8 && raw.prefix(8).elementsEqual(PNGCodec.signature) {
                return try PNGCodec.decode(raw, path: path)
            }
            if JPEGCodec.isJPEG(raw) { return try JPEGCodec.decode(raw, path: path) }
            let head = raw.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw ImageError(path: path, problem: .unknownFormat(firstBytes: head.isEmpty ? "none, empty file" : head))
        }
    }

    /// Writes the image as an 8-bit RGB PNG under a temporary sibling name, then renames it;
    /// `fast` trades compression for speed (generated datasets).
    public func encodePNG(to path: String, fast: Bool = false) throws {
        try PNGCodec.encode(self, to: path, fast: fast)
    }

    /// The centre `width` x `height` region, placed as torchvision's `CenterCrop` places it:
    /// top = round((H - height) / 2), left = round((W - width) / 2), with Python's
    /// round-half-to-even. A crop larger than the image is an error (torchvision would pad).
    public func cropCenter(width cropWidth: Int, height cropHeight: Int) throws -> RGBImage {
        guard cropWidth > 0, cropHeight > 0 else {
            throw ImageError(path: nil, problem: .invalidSize(width: cropWidth, height: cropHeight))
        }
        guard cropWidth <= width, cropHeight <= height else {
            throw ImageError(path: nil, problem: .cropTooLarge(width: cropWidth, height: cropHeight,
                                                               imageWidth: width, imageHeight: height))
        }
        if cropWidth == width && cropHeight == height { return self }
        let top = Int((Double(height - cropHeight) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(width - cropWidth) / 2).rounded(.toNearestOrEven))
        var out = [UInt8](repeating: 0, count: cropWidth * cropHeight * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<cropHeight {
                    let s = ((top + y) * width + left) * 3
                    let d = y * cropWidth * 3
                    for i in 0..<(cropWidth * 3) { dst[d + i] = src[s + i] }
                }
            }
        }
        return try RGBImage(width: cropWidth, height: cropHeight, pixels: out)
    }

    /// Reads a whole file; a missing file and an unreadable one are told apart.
    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            let code = errno
            throw ImageError(path: path, problem: code == ENOENT ? .missingFile : .unreadable(String(cString: strerror(code))))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ImageError(path: path, problem: .unreadable(String(cString: strerror(errno))))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImageError(path: path, problem: .unreadable("is a directory"))
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError(path: path, problem: .unreadable(String(cString: strerror(errno))))
            }
            if n == 0 { bytes.removeLast(bytes.count - done); break }
            done += n
        }
        return bytes
    }
}
