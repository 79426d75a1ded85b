import Analysis
import ArgumentParser

/// Rejected portions: `start:stop:count` (numpy linspace, endpoint included; the third field an
/// integer), `start:step:stop` (`seq`; the third field with a point) or a comma list, each in
/// [0, 1] (docs/metrics.md, "Rejected portions"). The text is kept as written, for cache keys and messages.
public struct PortionList: ExpressibleByArgument, Sendable {
    public var text: String
    public var values: [Double]

    public init?(argument: String) {
        guard let v = try? parsePortions(argument) else { return nil }
        text = argument
        values = v
    }

    public var defaultValueDescription: String { text }
}

/// FARs: a comma list, each in (0, 1].
public struct FARList: ExpressibleByArgument, Sendable {
    public var values: [Double]

    public init?(argument: String) {
        guard let v = try? parseFARs(argument) else { return nil }
        values = v
    }

    public var defaultValueDescription: String { values.map { "\($0)" }.joined(separator: ",") }
}
