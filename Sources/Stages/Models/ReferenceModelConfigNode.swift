import Core
import Foundation
import Yams

/// One node of a reference model config with the dotted key naming it (`scale_predictor.activation`),
/// typed as the reference's reader types it: PyYAML's `safe_load` (YAML 1.1), where a plain
/// `64.` is a float, `1e2` (no dot) is text, and `yes`/`no`/`on`/`off` are booleans.
struct ConfigNode {
    var path: String
    var key: String
    var node: Node

    /// A scalar's value as PyYAML resolves it.
    enum Scalar: Equatable {
        case null, bool(Bool), int(Int), float(Double), string(String)
    }

    var scalar: Scalar? {
        guard let s = node.scalar else { return nil }
        let t = s.string
        guard s.style == .plain else { return .string(t) }
        if ["", "~", "null", "Null", "NULL"].contains(t) { return .null }
        if ["yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].contains(t) { return .bool(true) }
        if ["no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].contains(t) { return .bool(false) }
        let plain = t.replacingOccurrences(of: "_", with: "")
        if t.range(of: #"^[-+]?(0|[1-9][0-9_]*)$"#, options: .regularExpression) != nil, let i = Int(plain) { return .int(i) }
        if t.range(of: #"^([-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)([eE][-+][0-9]+)?$"#, options: .regularExpression) != nil,
           let d = Double(plain.hasSuffix(".") ? plain + "0" : plain) { return .float(d) }
        if t.range(of: #"^[-+]?\.(inf|Inf|INF)$"#, options: .regularExpression) != nil { return .float(t.hasPrefix("-") ? -.infinity : .infinity) }
        if [".nan", ".NaN", ".NAN"].contains(t) { return .float(.nan) }
        return .string(t)
    }

    var isNull: Bool { scalar == .null }
    var line: Int? { node.mark.map { $0.line } }

    func error(_ message: String) -> InputError {
        InputError(file: path, line: line, key.isEmpty ? message : "\(key): \(message)")
    }

    subscript(_ name: String) -> ConfigNode? {
        node.mapping?[name].map { ConfigNode(path: path, key: key.isEmpty ? name : "\(key).\(name)", node: $0) }
    }

    func error(at name: String, _ message: String) -> InputError { (self[name] ?? self).errorNaming(name, message) }

    private func errorNaming(_ name: String, _ message: String) -> InputError {
        key.hasSuffix(name) ? error(message) : error("\(name): \(message)")
    }

    /// Refuses keys a constructor without `**kwargs` does not take, as the reference's TypeError does.
    func onlyKeys(_ accepted: [String], what: String) throws {
        guard let m = node.mapping else { throw error("expected a mapping of arguments") }
        for (k, _) in m {
            let name = k.string ?? "?"
            if !accepted.contains(name) {
                throw ConfigNode(path: path, key: key, node: k).error("\(what) takes no argument '\(name)' (the reference raises TypeError; accepted: \(accepted.joined(separator: ", ")))")
            }
        }
    }

    /// A text value; `default: nil` makes the key required.
    func string(_ name: String, default fallback: String?) throws -> String {
        guard let n = self[name] else {
            guard let fallback else { throw error("missing '\(name)'") }
            return fallback
        }
        guard case .string(let s)? = n.scalar else { throw n.error("expected text, got \(n.describe)") }
        return s
    }

    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let n = self[name], !n.isNull else { return fallback }
        guard case .bool(let b)? = n.scalar else { throw n.error("expected true or false, got \(n.describe)") }
        return b
    }

    func number(_ name: String, default fallback: Double) throws -> Double {
        guard let n = self[name] else { return fallback }
        switch n.scalar {
        case .int(let i)?: return Double(i)
        case .float(let d)?: return d
        default: throw n.error("expected a number, got \(n.describe)")
        }
    }

    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let n = self[name] else { return fallback }
        guard case .int(let i)? = n.scalar else { throw n.error("expected an integer, got \(n.describe)") }
        return i
    }

    func positiveInt(_ name: String, default fallback: Int) throws -> Int {
        let i = try int(name, default: fallback)
        guard i >= 1, i <= 1 << 24 else { throw (self[name] ?? self).error("\(i) is not a layer width (1 ... 16777216)") }
        return i
    }

    func positiveInts(_ name: String, default fallback: [Int]) throws -> [Int] {
        guard let n = self[name] else { return fallback }
        guard let items = n.node.sequence, items.count <= 64 else { throw n.error("expected a list of at most 64 widths, got \(n.describe)") }
        return try items.map { item in
            let c = ConfigNode(path: path, key: n.key, node: item)
            guard case .int(let i)? = c.scalar, i >= 1, i <= 1 << 24 else { throw c.error("expected positive integer widths, got \(c.describe)") }
            return i
        }
    }

    /// The value as written, for messages.
    var describe: String {
        if node.mapping != nil { return "a mapping" }
        if node.sequence != nil { return "a list" }
        switch scalar {
        case .string(let s)?: return "'\(s)' (text)"
        case .null?: return "null"
        default: return node.scalar?.string ?? "?"
        }
    }
}
