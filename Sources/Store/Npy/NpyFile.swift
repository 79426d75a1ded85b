import Core
import Foundation

/// Reading and writing `.npy` arrays (C order, little-endian) without numpy.
public enum NpyFile {
    /// Reads only the header.
    public static func header(_ path: String) throws -> NpyHeader {
        let fd = try openForReading(path)
        defer { close(fd) }
        return try readHeader(fd, path)
    }

    /// Reads a numeric array as Float (float16/32/64 converted exactly or by rounding to
    /// nearest; integers converted). Fortran order is refused.
    public static func readFloats(_ path: String) throws -> (values: [Float], shape: [Int]) {
        let fd = try openForReading(path)
        defer { close(fd) }
        let h = try readHeader(fd, path)
        try requireCOrder(h, path)
        let n = h.count
        switch h.dtype {
        case .float32:
            // Uninitialised storage: zero-filling a gigabyte first costs as much as reading it.
            let out = try [Float](unsafeUninitializedCapacity: n) { buffer, initialised in
                try readExactly(fd, UnsafeMutableRawBufferPointer(buffer), offset: h.dataOffset, path)
                initialised = n
            }
            return (out, h.shape)
        case .float16:
            var bits = [UInt16](repeating: 0, count: n)
            try bits.withUnsafeMutableBytes { try readExactly(fd, $0, offset: h.dataOffset, path) }
            return (bits.map { Float(Float16(bitPattern: $0)) }, h.shape)
        case .float64:
            var wide = [Double](repeating: 0, count: n)
            try wide.withUnsafeMutableBytes { try readExactly(fd, $0, offset: h.dataOffset, path) }
            return (wide.map { Float($0) }, h.shape)
        default:
            throw StoreError.badFormat(path: path, message: "unsupported dtype '\(h.dtype.descr)' (expected float16, float32 or float64)")
        }
    }

    /// Reads an integer array as Int64. Floating-point arrays are refused.
    public static func readInt64(_ path: String) throws -> (values: [Int64], shape: [Int]) {
        let fd = try openForReading(path)
        defer { close(fd) }
        let h = try readHeader(fd, path)
        try requireCOrder(h, path)
        let n = h.count
        var raw = [UInt8](repeating: 0, count: n * h.dtype.size)
        try raw.withUnsafeMutableBytes { try readExactly(fd, $0, offset: h.dataOffset, path) }
        return try raw.withUnsafeBytes { b -> ([Int64], [Int]) in
            let values: [Int64]
            switch h.dtype {
            case .int64: values = Array(b.bindMemory(to: Int64.self))
            case .int32: values = b.bindMemory(to: Int32.self).map(Int64.init)
            case .int16: values = b.bindMemory(to: Int16.self).map(Int64.init)
            case .int8: values = b.bindMemory(to: Int8.self).map(Int64.init)
            case .uint8, .bool: values = b.bindMemory(to: UInt8.self).map(Int64.init)
            case .uint16: values = b.bindMemory(to: UInt16.self).map(Int64.init)
            case .uint32: values = b.bindMemory(to: UInt32.self).map(Int64.init)
            case .uint64:
                let u = b.bindMemory(to: UInt64.self)
                if let big = u.firstIndex(where: { $0 > UInt64(Int64.max) }) {
                    throw StoreError.invalidValue(path: path, message: "element \(big) does not fit in int64")
                }
                values = u.map { Int64($0) }
            default:
                throw StoreError.badFormat(path: path, message: "unsupported dtype '\(h.dtype.descr)' (expected an integer type)")
            }
            return (values, h.shape)
        }
    }

    /// Writes a float32 array atomically.
    public static func write(_ values: [Float], shape: [Int], to path: String) throws {
        try values.withUnsafeBytes { try write(bytes: $0, dtype: .float32, shape: shape, count: values.count, to: path) }
    }

    /// Writes an int64 array atomically.
    public static func write(_ values: [Int64], shape: [Int], to path: String) throws {
        try values.withUnsafeBytes { try write(bytes: $0, dtype: .int64, shape: shape, count: values.count, to: path) }
    }

    private static func write(bytes: UnsafeRawBufferPointer, dtype: NpyDType, shape: [Int], count: Int, to path: String) throws {
        precondition(shape.reduce(1, *) == count, "shape \(shape) does not hold \(count) values")
        try writeAtomically(to: path) { temporary in
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw StoreError.io(path: path, message: "cannot create (\(String(cString: strerror(errno))))") }
            defer { close(fd) }
            let header = NpyHeader.encode(dtype: dtype, shape: shape)
            try header.withUnsafeBytes { try writeAll(fd, $0, path) }
            try writeAll(fd, bytes, path)
        }
    }

    // MARK: - POSIX helpers

    private static func openForReading(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT { throw StoreError.missingFile(path: path) }
            throw StoreError.io(path: path, message: "cannot open (\(String(cString: strerror(errno))))")
        }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw StoreError.io(path: path, message: "is a directory, expected a .npy file")
        }
        return fd
    }

    private static func readHeader(_ fd: Int32, _ path: String) throws -> NpyHeader {
        var prefix = [UInt8](repeating: 0, count: 12)
        let got = prefix.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 12, 0) }
        guard got >= 10 else { throw StoreError.badFormat(path: path, message: "not a .npy file (shorter than a header)") }
        let length: Int = prefix[6] == 1 ? 10 + (Int(prefix[8]) | Int(prefix[9]) << 8)
                                        : 12 + (0..<4).reduce(0) { $0 | Int(prefix[8 + $1]) << (8 * $1) }
        guard prefix[0] == 0x93, length < 1 << 24 else {
            return try prefix.withUnsafeBytes { try NpyHeader.parse($0, path: path) }  // reports the right error
        }
        var bytes = [UInt8](repeating: 0, count: length)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, 0) }
        guard n == length else { throw StoreError.badFormat(path: path, message: "truncated .npy header") }
        let header = try bytes.withUnsafeBytes { try NpyHeader.parse($0, path: path) }
        var st = stat()
        if fstat(fd, &st) == 0 {
            let expected = header.count * header.dtype.size
            let available = Int(st.st_size) - header.dataOffset
            if available < expected {
                throw StoreError.badFormat(path: path, message: "truncated .npy: shape \(header.shape) needs \(expected) bytes of data, the file has \(max(0, available))")
            }
        }
        return header
    }

    private static func requireCOrder(_ h: NpyHeader, _ path: String) throws {
        if h.fortranOrder && h.shape.count > 1 {
            throw StoreError.badFormat(path: path, message: "Fortran-order array (expected C order; save with np.ascontiguousarray)")
        }
    }

    private static func readExactly(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, offset: Int, _ path: String) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, min(buffer.count - done, 1 << 30), off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw StoreError.badFormat(path: path, message: "truncated .npy data") }
            done += n
        }
    }
}

func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, _ path: String) throws {
    var done = 0
    while done < buffer.count {
        let n = Foundation.write(fd, buffer.baseAddress! + done, min(buffer.count - done, 1 << 30))
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw StoreError.io(path: path, message: "write failed (\(String(cString: strerror(errno))))") }
        done += n
    }
}
