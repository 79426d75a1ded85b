import Foundation

/// A stage parameter as written in a pipeline file: scalars and lists of scalars.
public enum ParameterValue: Hashable, Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([ParameterValue])

    /// How a person would write it, for plans and reports.
    public var display: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        case .list(let items): return "[" + items.map(\.display).joined(separator: ", ") + "]"
        }
    }

    public var jsonObject: Any {
        switch self {
        case .string(let s): return s
        case .int(let i): return i
        case .double(let d): return d
        case .bool(let b): return b
        case .list(let items): return items.map(\.jsonObject)
        }
    }
}
