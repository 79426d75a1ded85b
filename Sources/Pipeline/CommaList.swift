import Foundation
import ArgumentParser

/// A list given as one comma-separated value (`--fars 1e-4,1e-3`); in a pipeline file, a
/// YAML list (`fars: [1e-4, 1e-3]`) or the same text. Empty text is the empty list.
public struct CommaList<Element: ExpressibleByArgument & Sendable>: ExpressibleByArgument, Sendable,
    CustomStringConvertible {
    public var items: [Element]

    public init(_ items: [Element]) { self.items = items }

    public init?(argument: String) {
        var items: [Element] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: true) {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let e = Element(argument: text) else { return nil }
            items.append(e)
        }
        self.items = items
    }

    public var description: String { items.map(\.defaultValueDescription).joined(separator: ",") }
    public var defaultValueDescription: String { description }
}

extension CommaList: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Element...) { items = elements }
}
