import Core
import Foundation
import Store

/// What `scaleface store info` reports: sizes, strategies with their value ranges, the
/// root attributes and whether the store is complete. Encodes to JSON with `--json`.
public struct StoreSummary: Codable, Equatable {
    public struct Strategy: Codable, Equatable {
        public var name: String
        public var width: Int
        public var mode: String
        public var min: Float?
        public var max: Float?
        public var mean: Double?
    }
    public var path: String
    public var complete: Bool
    public var rowsCommitted: Int
    public var images: Int
    public var dimension: Int
    public var labels: Int?
    public var distinctLabels: Int?
    public var bottleneck: String?
    public var strategies: [Strategy]
    public var attributes: [String: String]

    /// Reads the summary; value ranges cover committed rows only.
    public init(path: String) throws {
        let s = try EmbeddingStore.open(path, allowIncomplete: true)
        self.path = path
        complete = s.isComplete
        rowsCommitted = s.committedRows
        images = s.count
        dimension = s.dimension
        let valid = 0..<min(s.count, s.committedRows)
        if let l = try s.labels() {
            labels = l.count
            distinctLabels = Set(l).count
        }
        bottleneck = s.bottleneck.map { "[\(s.count), \($0.width)] \($0.half ? "float16" : "float32")" }
        strategies = try s.strategies.map { info in
            let v = try s.uncertainty(named: info.name, rows: valid).values
            return Strategy(name: info.name, width: info.width, mode: info.mode.rawValue,
                            min: v.min(), max: v.max(),
                            mean: v.isEmpty ? nil : v.reduce(0.0) { $0 + Double($1) } / Double(v.count))
        }
        attributes = Dictionary(uniqueKeysWithValues: try s.rootAttributes())
    }

    public var text: String {
        var lines = [
            "store:       \(path)",
            "status:      \(complete ? "complete" : "INCOMPLETE (\(rowsCommitted) of \(images) rows committed)")",
            "images:      \(images)",
            "dimension:   \(dimension)",
            "labels:      \(labels.map { "\($0) (\(distinctLabels ?? 0) distinct)" } ?? "none")",
            "bottleneck:  \(bottleneck ?? "none")",
            "strategies:  \(strategies.isEmpty ? "none" : "")",
        ]
        for s in strategies {
            let range = s.min.map { String(format: "min %.6g  max %.6g  mean %.6g", $0, s.max ?? 0, s.mean ?? 0) } ?? "no values"
            lines.append("  \(s.name.padding(toLength: max(12, s.name.count), withPad: " ", startingAt: 0))  k=\(s.width)  \(s.mode.padding(toLength: 11, withPad: " ", startingAt: 0))  \(range)")
        }
        lines.append("attributes:")
        for key in attributes.keys.sorted() { lines.append("  \(key) = \(attributes[key]!)") }
        return lines.joined(separator: "\n")
    }
}
