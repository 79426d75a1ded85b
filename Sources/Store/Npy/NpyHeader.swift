import Foundation

/// Element types of `.npy` files that scaleface reads or writes (little-endian only).
public enum NpyDType: String, Sendable {
    case float16 = "f2", float32 = "f4", float64 = "f8"
    case int8 = "i1", int16 = "i2", int32 = "i4", int64 = "i8"
    case uint8 = "u1", uint16 = "u2", uint32 = "u4", uint64 = "u8"
    case bool = "b1"

    public var size: Int { Int(rawValue.dropFirst())! }
    public var isFloat: Bool { rawValue.hasPrefix("f") }
    /// The descr string numpy writes for this type on a little-endian machine.
    public var descr: String { size == 1 ? "|" + rawValue : "<" + rawValue }
}

/// The header of a `.npy` file (format versions 1.0, 2.0 and 3.0).
public struct NpyHeader: Equatable, Sendable {
    public var dtype: NpyDType
    public var fortranOrder: Bool
    public var shape: [Int]
    /// Byte offset of the first element.
    public var dataOffset: Int

    public var count: Int { shape.reduce(1, *) }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// Parses the header from the first bytes of a file; `path` only names it in errors.
    public static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> NpyHeader {
        func bad(_ what: String) -> StoreError { .badFormat(path: path, message: what) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw bad("not a .npy file (no \\x93NUMPY magic)") }
        let major = bytes[6]
        let headerLength: Int
        let start: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw bad("truncated .npy header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            start = 12
        default:
            throw bad(".npy format version \(major) is not supported (expected 1, 2 or 3)")
        }
        guard bytes.count >= start + headerLength else { throw bad("truncated .npy header") }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        let descr = try value(of: "descr", in: text, path: path)
        let fortran = try value(of: "fortran_order", in: text, path: path)
        let shapeText = try value(of: "shape", in: text, path: path)

        guard descr.count >= 3, descr.hasPrefix("'"), descr.hasSuffix("'") else {
            throw bad("unsupported dtype \(descr) (expected a simple numeric dtype such as '<f4')")
        }
        let d = String(descr.dropFirst().dropLast())
        let order = d.first!
        if order == ">" { throw bad("unsupported dtype '\(d)': big-endian data (expected little-endian, e.g. '<f4')") }
        guard "<|=".contains(order), let dtype = NpyDType(rawValue: String(d.dropFirst())) else {
            throw bad("unsupported dtype '\(d)' (expected float16/32/64 or an integer type)")
        }
        guard fortran == "False" || fortran == "True" else { throw bad("unreadable fortran_order \(fortran)") }
        guard shapeText.hasPrefix("("), shapeText.hasSuffix(")") else { throw bad("unreadable shape \(shapeText)") }
        var shape: [Int] = []
        for part in shapeText.dropFirst().dropLast().split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if t.isEmpty { continue }
            guard let n = Int(t), n >= 0 else { throw bad("unreadable shape \(shapeText)") }
            shape.append(n)
        }
        return NpyHeader(dtype: dtype, fortranOrder: fortran == "True", shape: shape, dataOffset: start + headerLength)
    }

    /// The value text of `'key': value` in numpy's header dict: a quoted string, a tuple, or a word.
    private static func value(of key: String, in text: String, path: String) throws -> String {
        guard let k = text.range(of: "'\(key)'") else {
            throw StoreError.badFormat(path: path, message: "the .npy header has no '\(key)'")
        }
        var rest = text[k.upperBound...].drop(while: { $0 == " " })
        guard rest.first == ":" else { throw StoreError.badFormat(path: path, message: "unreadable .npy header") }
        rest = rest.dropFirst().drop(while: { $0 == " " })
        let end: String.Index
        switch rest.first {
        case "'": end = rest.dropFirst().firstIndex(of: "'").map { rest.index(after: $0) } ?? rest.endIndex
        case "(": end = rest.firstIndex(of: ")").map { rest.index(after: $0) } ?? rest.endIndex
        case "[": throw StoreError.badFormat(path: path, message: "unsupported dtype: structured arrays are not read (expected a simple numeric dtype)")
        default: end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
        }
        return String(rest[rest.startIndex..<end]).trimmingCharacters(in: .whitespaces)
    }

    /// Header bytes for a C-order array, version 1.0, padded so data starts on 64 bytes.
    public static func encode(dtype: NpyDType, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(dtype.descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = dict.utf8.count
        return magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dict.utf8)
    }
}
