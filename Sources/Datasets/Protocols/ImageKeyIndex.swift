import Foundation

/// Finds a protocol's image key among the store's paths. Tried in order: the exact path; the
/// path without its extension (aligned crops are often re-encoded, .jpg -> .png); the file
/// name alone, and the file name without extension, when exactly one stored path has it
/// (InsightFace lists `1.jpg` for `loose_crop/1.jpg`). The fallback tables are built on the
/// first key that needs them.
public final class ImageKeyIndex {
    private let paths: [String]
    private var exact: [String: Int32] = [:]
    private lazy var fallbacks: [(map: [String: Int32], transform: (String) -> String)] = buildFallbacks()
    public var count: Int { paths.count }

    private static let ambiguous: Int32 = -1

    public init(paths: [String]) {
        self.paths = paths
        exact.reserveCapacity(paths.count)
        for (i, p) in paths.enumerated() { exact[p] = Int32(i) }
    }

    private func buildFallbacks() -> [(map: [String: Int32], transform: (String) -> String)] {
        let transforms: [(String) -> String] = [
            Self.dropExtension,
            Self.fileName,
            { Self.dropExtension(Self.fileName($0)) },
        ]
        return transforms.map { t in
            var map: [String: Int32] = [:]
            for (i, p) in paths.enumerated() {
                let key = t(p), row = Int32(i)
                if let old = map[key], old != row { map[key] = Self.ambiguous } else { map[key] = row }
            }
            return (map, t)
        }
    }

    static func dropExtension(_ p: String) -> String {
        guard let dot = p.lastIndex(of: "."), !p[dot...].contains("/") else { return p }
        return String(p[..<dot])
    }

    static func fileName(_ p: String) -> String {
        p.split(separator: "/").last.map(String.init) ?? p
    }

    /// The store row of `key`, or nil when no stored path matches it unambiguously.
    public func row(_ key: String) -> Int32? {
        if let r = exact[key] { return r }
        // the key is transformed the same way as the stored paths, except that the bare file
        // name of the key is looked up as is
        for (n, f) in fallbacks.enumerated() {
            let k = n == 1 ? key : f.transform(key)
            if let r = f.map[k], r != Self.ambiguous { return r }
        }
        return nil
    }
}
