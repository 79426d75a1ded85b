import Foundation

/// A stage parameter as written in a pipeline file: scalars and lists of scalars.
public enum ParameterValue: Hashable, Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([ParameterValue])

    /// Canonical text for cache keys: the same value always gives the same text, and
    /// different values (or types) never do.
    var canonical: String {
        switch self {
        case .string(let s): return "s" + String(reflecting: s)
        case .int(let i): return "i\(i)"
        case .double(let d): return "d\(d)"
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map(\.canonical).joined(separator: ",") + "]"
        }
    }

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

    var jsonObject: Any {
        switch self {
        case .string(let s): return s
        case .int(let i): return i
        case .double(let d): return d
        case .bool(let b): return b
        case .list(let items): return items.map(\.jsonObject)
        }
    }
}

/// The type a stage expects for one parameter.
public enum ParameterType: String, Sendable {
    case string, int, double, bool, strings, doubles

    /// Converts a parsed value to this type, or returns nil when it does not fit.
    func coerce(_ v: ParameterValue) -> ParameterValue? {
        switch (self, v) {
        case (.string, .string), (.int, .int), (.double, .double), (.bool, .bool): return v
        case (.string, .int(let i)): return .string(String(i))
        case (.string, .double(let d)): return .string(String(d))
        case (.double, .int(let i)): return .double(Double(i))
        // A quoted "${variable}" arrives as text; accept it where the text is a number.
        case (.int, .string(let t)): return Int(t).map { .int($0) }
        case (.double, .string(let t)): return Double(t).map { .double($0) }
        case (.bool, .string(let t)): return t == "true" ? .bool(true) : t == "false" ? .bool(false) : nil
        case (.strings, .list(let items)):
            let s = items.compactMap { ParameterType.string.coerce($0) }
            return s.count == items.count ? .list(s) : nil
        case (.strings, .string), (.strings, .int), (.strings, .double):
            return ParameterType.string.coerce(v).map { .list([$0]) }
        case (.doubles, .list(let items)):
            let d = items.compactMap { ParameterType.double.coerce($0) }
            return d.count == items.count ? .list(d) : nil
        case (.doubles, .int), (.doubles, .double):
            return ParameterType.double.coerce(v).map { .list([$0]) }
        default: return nil
        }
    }
}

/// One parameter a stage kind accepts.
public struct ParameterSpec: Sendable {
    public var name: String
    public var type: ParameterType
    /// nil means the parameter is required.
    public var defaultValue: ParameterValue?
    /// The value names a file whose content is part of the cache key (a checkpoint, a
    /// protocol file): editing the file reruns the stage even though its name is unchanged.
    public var isFile: Bool
    public var help: String

    public init(_ name: String, _ type: ParameterType, default defaultValue: ParameterValue? = nil,
                isFile: Bool = false, help: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.isFile = isFile
        self.help = help
    }
}
