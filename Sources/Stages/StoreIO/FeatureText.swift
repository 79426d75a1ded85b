import Core
import Foundation

/// Features in MagFace's text layout: `path f1 f2 ... fD` per line, separated by spaces,
/// a trailing space allowed. Every line must have the same D.
public struct FeatureText {
    public var paths: [String]
    /// Row-major `[paths.count, dimension]`.
    public var features: [Float]
    public var dimension: Int

    public static func read(_ path: String) throws -> FeatureText {
        var paths: [String] = []
        var features: [Float] = []
        var dimension = -1
        var seen: [String: Int] = [:]
        for (number, text) in try readTextLines(path) {
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2 else {
                throw InputError(file: path, line: number, "expected 'path f1 ... fD', found \(fields.count) field(s)")
            }
            let d = fields.count - 1
            if dimension < 0 { dimension = d }
            guard d == dimension else {
                throw InputError(file: path, line: number, "\(d) feature values, expected \(dimension) as on the first line")
            }
            let key = String(fields[0])
            if let first = seen.updateValue(number, forKey: key) {
                throw InputError(file: path, line: number, "duplicate path '\(key)' (first on line \(first))")
            }
            paths.append(key)
            for (j, f) in fields.dropFirst().enumerated() {
                guard let v = Float(f) else {
                    throw InputError(file: path, line: number, "value \(j + 1) '\(f)' is not a number")
                }
                guard v.isFinite else {
                    throw InputError(file: path, line: number, "value \(j + 1) is \(v), expected a finite number")
                }
                features.append(v)
            }
        }
        guard dimension > 0 else { throw InputError(file: path, "no feature lines") }
        return FeatureText(paths: paths, features: features, dimension: dimension)
    }
}
