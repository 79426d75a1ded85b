import ArgumentParser

/// The options of a job's options type as a pipeline sees them, read from the type itself so
/// that each option is declared once: by its `@Option` / `@Flag` in the options type
/// (docs/architecture.md, "One declaration per option").
///
/// A property `farRule` is the flag `--far-rule` on the command line and the parameter
/// `far_rule` in a pipeline file. Properties of `@OptionGroup`s are flattened into the same
/// namespace. Options types must use the default long names (a test checks every flag
/// appears in the type's help text).
public struct OptionField: Sendable {
    /// The pipeline parameter name (snake case).
    public var key: String
    /// The command-line flag (`--kebab-case`).
    public var flag: String
    /// A `@Flag` (a switch without a value) rather than an `@Option`.
    public var isFlag: Bool
    /// The declared value type (`Optional` unwrapped).
    public var valueType: Any.Type
    /// Whether the option may be given several times (`[String]`, one value each).
    public var repeats: Bool

    /// A file or folder the stage reads (`InputFile`, `InputFolder`).
    public var isPath: Bool { valueType is any PathParameter.Type }
}

public enum OptionFields {
    /// Every option of `type`, in declaration order.
    public static func of(_ type: any ParsableArguments.Type) -> [OptionField] {
        var fields: [OptionField] = []
        for child in Mirror(reflecting: type.init()).children {
            guard let label = child.label, label.hasPrefix("_") else { continue }
            let name = String(label.dropFirst())
            let wrapper = Swift.type(of: child.value)
            if let group = wrapper as? any OptionGroupField.Type {
                fields += of(group.groupType)
            } else if let field = wrapper as? any ValueField.Type {
                let (type, repeats) = unwrap(field.declaredType)
                fields.append(OptionField(key: snakeCase(name), flag: "--" + kebabCase(name), isFlag: field.isFlag,
                                          valueType: type, repeats: repeats))
            }
        }
        return fields
    }

    /// The parsed value of every option, by parameter key (groups flattened).
    public static func values(of options: any ParsableArguments) -> [String: Any] {
        var values: [String: Any] = [:]
        for child in Mirror(reflecting: options).children {
            guard let label = child.label, label.hasPrefix("_") else { continue }
            if let group = child.value as? any OptionGroupField {
                values.merge(Self.values(of: group.groupValue)) { a, _ in a }
            } else if let field = child.value as? any ValueField {
                values[snakeCase(String(label.dropFirst()))] = field.value
            }
        }
        return values
    }

    private static func unwrap(_ type: Any.Type) -> (Any.Type, Bool) {
        var t = type
        if let o = t as? any OptionalType.Type { t = o.wrapped }
        if let a = t as? any ArrayType.Type { return (a.element, true) }
        return (t, false)
    }

    static func words(_ camel: String) -> [String] {
        var words: [String] = []
        var current = ""
        for ch in camel {
            if ch.isUppercase && !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(Character(ch.lowercased()))
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    public static func snakeCase(_ camel: String) -> String { words(camel).joined(separator: "_") }
    public static func kebabCase(_ camel: String) -> String { words(camel).joined(separator: "-") }
}

// ArgumentParser's property wrappers, read through public API only (`wrappedValue`).

protocol ValueField {
    static var declaredType: Any.Type { get }
    static var isFlag: Bool { get }
    var value: Any { get }
}

protocol OptionGroupField {
    static var groupType: any ParsableArguments.Type { get }
    var groupValue: any ParsableArguments { get }
}

extension Option: ValueField {
    static var declaredType: Any.Type { Value.self }
    static var isFlag: Bool { false }
    var value: Any { wrappedValue }
}

extension Flag: ValueField {
    static var declaredType: Any.Type { Value.self }
    static var isFlag: Bool { true }
    var value: Any { wrappedValue }
}

extension OptionGroup: OptionGroupField {
    static var groupType: any ParsableArguments.Type { Value.self }
    var groupValue: any ParsableArguments { wrappedValue }
}

protocol OptionalType { static var wrapped: Any.Type { get } }
extension Optional: OptionalType { static var wrapped: Any.Type { Wrapped.self } }

protocol ArrayType { static var element: Any.Type { get } }
extension Array: ArrayType { static var element: Any.Type { Element.self } }
