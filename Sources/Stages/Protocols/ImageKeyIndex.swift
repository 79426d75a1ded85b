import Foundation

/// Finds a protocol's image key among the store's paths. Tried in order: the exact path; the
/// path without its extension (aligned crops are often re-encoded, .jpg -> .png); the file
/// name alone, and the file name without extension, when exactly one stored path has it
/// (InsightFace lists `1.jpg` for `loose_crop/1.jpg`).
public struct ImageKeyIndex: Sendable {
    private var exact: [String: Int32] = [:]
    private var stem: [String: Int32] = [:]
    private var name: [String: Int32] = [:]
    private var nameStem: [String: Int32] = [:]
    public let count: Int

    private static let ambiguous: Int32 = -1

    public init(paths: [String]) {
        count = paths.count
        func add(_ map: inout [String: Int32], _ key: String, _ row: Int32) {
            if let old = map[key], old != row { map[key] = Self.ambiguous } else { map[key] = row }
        }
        for (i, p) in paths.enumerated() {
            let row = Int32(i)
            exact[p] = row
            let s = Self.dropExtension(p)
            add(&stem, s, row)
            let base = p.split(separator: "/").last.map(String.init) ?? p
            add(&name, base, row)
            add(&nameStem, Self.dropExtension(base), row)
        }
    }

    static func dropExtension(_ p: String) -> String {
        guard let dot = p.lastIndex(of: "."), !p[dot...].contains("/") else { return p }
        return String(p[..<dot])
    }

    /// The store row of `key`, or nil when no stored path matches it unambiguously.
    public func row(_ key: String) -> Int32? {
        if let r = exact[key] { return r }
        for (map, k) in [(stem, Self.dropExtension(key)), (name, key), (nameStem, Self.dropExtension(key))] {
            if let r = map[k], r != Self.ambiguous { return r }
        }
        return nil
    }
}
