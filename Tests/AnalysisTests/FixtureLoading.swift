import Foundation
import XCTest

/// A parsed JSON value. JSONDecoder parses numbers exactly (JSONSerialization on Linux does
/// not round-trip doubles), which exact golden comparisons need.
enum JSON: Decodable {
    case number(Double), string(String), bool(Bool), null, array([JSON]), object([String: JSON])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSON].self)) }
    }

    subscript(_ key: String) -> JSON {
        if case let .object(o) = self, let v = o[key] { return v }
        return .null
    }

    var double: Double {
        switch self {
        case let .number(d): return d
        case let .bool(b): return b ? 1 : 0
        default: return .nan
        }
    }
    var int: Int { Int(double) }
    var string: String { if case let .string(s) = self { return s }; return "" }
    var array: [JSON] { if case let .array(a) = self { return a }; return [] }
    var object: [String: JSON] { if case let .object(o) = self { return o }; return [:] }
    var isNull: Bool { if case .null = self { return true }; return false }

    var doubles: [Double] { array.map(\.double) }
    var floats: [Float] { array.map { Float($0.double) } }
    var ints: [Int] { array.map(\.int) }
    var int32s: [Int32] { array.map { Int32($0.int) } }
    var bools: [Bool] { array.map { $0.double != 0 } }
    var matrix: [[Double]] { array.map(\.doubles) }
}

enum Fixture {
    static func load(_ name: String) throws -> JSON {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        return try JSONDecoder().decode(JSON.self, from: Data(contentsOf: url))
    }
}

/// Equal, treating NaN as equal to NaN (undefined points).
func sameOrBothNaN(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }

/// Equal within `ulps` float32 rounding steps of the larger magnitude (at least 1).
func closeFloat(_ a: Double, _ b: Double, ulps: Double = 4) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    return abs(a - b) <= ulps * Double(Float.ulpOfOne) * max(1, abs(a), abs(b))
}
