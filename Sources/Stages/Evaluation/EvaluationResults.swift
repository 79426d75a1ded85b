import Core
import Analysis
import Foundation
import Store

/// What `reject` and `fusion` write: results.json (numbers are numbers, undefined values are
/// null) and results.csv (one row per metric x FAR x portion).
public struct EvaluationResults: Sendable {
    public enum Kind: String, Sendable { case reject, fusion }

    public struct Verification: Sendable {
        public var name: String
        public var points: [OperatingPoint]
    }

    public var kind: Kind
    public var fars: [Double]
    public var portions: [Double]
    public var pairs: Int
    public var positives: Int
    /// The TAR@FAR rule of every point; written as `"far_rule"` only when not `reference`.
    public var farRule: FARRule = .reference
    /// Reject curves in the order the metrics were requested.
    public var metrics: [(name: String, curve: RejectCurve)] = []
    public var verification: [Verification] = []
    /// Extra per-metric members (EDC, bootstrap intervals) written beside the curve.
    public var extras: [String: [(String, JSONValue)]] = [:]
    /// Values for the histogram figures, per metric (not written to results.json).
    public var histograms: [String: MetricHistograms] = [:]

    public var json: JSONValue {
        var top: [(String, JSONValue)] = [
            ("kind", .string(kind.rawValue)),
            ("fars", .numbers(fars)),
            ("portions", .numbers(portions)),
            ("pairs", .number(Double(pairs))),
            ("positives", .number(Double(positives))),
        ]
        if farRule != .reference { top.append(("far_rule", .string(farRule.rawValue))) }
        top.append(("metrics", .object(metrics.map { name, c in
            var members: [(String, JSONValue)] = [
                ("tar", .array(c.tar.map(JSONValue.numbers))),
                ("far", .array(c.far.map(JSONValue.numbers))),
                ("threshold", .array(c.threshold.map(JSONValue.numbers))),
                ("auc", .numbers(c.auc)),
                ("kept", .numbers(c.kept.map(Double.init))),
            ]
            members += extras[name] ?? []
            return (name, JSONValue.object(members))
        })))
        if kind == .fusion {
            top.append(("verification", .object(verification.map { v in
                (v.name, JSONValue.object([
                    ("tar", .numbers(v.points.map(\.tar))),
                    ("far", .numbers(v.points.map(\.far))),
                    ("threshold", .numbers(v.points.map(\.threshold))),
                ]))
            })))
        }
        return .object(top)
    }

    public var csv: String {
        var out = "metric,far,portion,kept,tar,real_far,threshold\n"
        func num(_ v: Double) -> String { v.isNaN ? "" : JSONValue.format(v) }
        for (name, c) in metrics {
            for f in c.fars.indices {
                for p in c.portions.indices {
                    out += "\(name),\(num(c.fars[f])),\(num(c.portions[p])),\(c.kept[p]),"
                        + "\(num(c.tar[f][p])),\(num(c.far[f][p])),\(num(c.threshold[f][p]))\n"
                }
            }
        }
        return out
    }

    /// Writes results.json, results.csv and (unless `figures` is false) figures/*.png into
    /// `directory` (created if missing), each file under a temporary name first.
    public func write(to directory: String, figures: Bool = true) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try writeText(json.serialized() + "\n", to: (directory as NSString).appendingPathComponent("results.json"))
        try writeText(csv, to: (directory as NSString).appendingPathComponent("results.csv"))
        if figures { try writeEvaluationFigures(self, histograms: histograms, to: directory) }
    }
}

/// A minimal ordered JSON value (JSONEncoder cannot write NaN as null or keep key order).
public indirect enum JSONValue: Sendable, Equatable {
    case number(Double), string(String), array([JSONValue]), object([(String, JSONValue)]), null

    public static func numbers(_ v: [Double]) -> JSONValue { .array(v.map { .number($0) }) }

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

    /// Shortest round-tripping decimal; integers without a fraction; NaN/inf as null.
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return "\(v)"
    }

    public func serialized() -> String {
        switch self {
        case let .number(v): return v.isFinite ? Self.format(v) : "null"
        case let .string(s):
            var out = "\""
            for ch in s.unicodeScalars {
                switch ch {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default:
                    if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
                }
            }
            return out + "\""
        case let .array(a): return "[" + a.map { $0.serialized() }.joined(separator: ",") + "]"
        case let .object(o):
            return "{" + o.map { JSONValue.string($0.0).serialized() + ":" + $0.1.serialized() }.joined(separator: ",") + "}"
        case .null: return "null"
        }
    }
}
