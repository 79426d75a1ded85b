import Core
import Foundation

/// results.json of `reject` and `fusion`, as written and as read (docs/metrics.md, "Outputs",
/// "EDC" and "Bootstrap intervals"). Undefined numbers (NaN, infinities) are `nil`, `null` in
/// the file. Written with sorted keys, so metrics appear by name.
public struct ResultsFile: Codable, Equatable, Sendable {
    public var kind: EvaluationResults.Kind
    public var fars: [Double]
    public var portions: [Double]
    public var pairs: Int
    public var positives: Int
    /// Absent for the `reference` FAR rule (docs/metrics.md, "FAR rules").
    public var farRule: String?
    public var metrics: [String: Metric]
    /// Template verification: present (possibly empty) for `fusion`, absent for `reject`.
    public var verification: [String: Verification]?
    /// LFW 10-fold accuracy (`reject --ten-fold`, docs/metrics.md "LFW 10-fold accuracy").
    public var tenFold: TenFold?
    /// `fusion`: the biased-cosine bias per fusion of a biased metric; absent when none.
    public var bias: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case kind, fars, portions, pairs, positives, metrics, verification, bias
        case farRule = "far_rule", tenFold = "ten_fold"
    }

    /// `ten_fold`: the fold accuracies and thresholds, their mean and population std.
    public struct TenFold: Codable, Equatable, Sendable {
        public var score: String
        public var foldAccuracy: [Double]
        public var threshold: [Double]
        public var mean: Double
        public var std: Double

        enum CodingKeys: String, CodingKey {
            case score, threshold, mean, std
            case foldAccuracy = "fold_accuracy"
        }
    }

    /// One reject curve; the arrays are `[far][portion]`, `auc` per FAR, `kept` per portion.
    public struct Metric: Codable, Equatable, Sendable {
        public var tar: [[Double?]]
        public var far: [[Double?]]
        public var threshold: [[Double?]]
        public var auc: [Double?]
        public var kept: [Int]
        public var edc: EDC?
        public var bootstrap: Bootstrap?
    }

    /// `metrics.<name>.edc` (`--curve edc`): per FAR, `fnmr` per FAR and portion.
    public struct EDC: Codable, Equatable, Sendable {
        public var threshold: [Double?]
        public var startError: [Double?]
        public var discarded: [Double?]
        public var fnmr: [[Double?]]
        public var pauc: [Double?]
        public var paucLimit: Double

        enum CodingKeys: String, CodingKey {
            case threshold, discarded, fnmr, pauc
            case startError = "start_error", paucLimit = "pauc_limit"
        }
    }

    /// `metrics.<name>.bootstrap` (`--bootstrap B`): interval bounds per FAR.
    public struct Bootstrap: Codable, Equatable, Sendable {
        public var replicates: Int
        public var skipped: Int
        public var confidence: Double
        public var tarLower: [Double?], tarUpper: [Double?]
        public var aucLower: [Double?], aucUpper: [Double?]

        enum CodingKeys: String, CodingKey {
            case replicates, skipped, confidence
            case tarLower = "tar_lower", tarUpper = "tar_upper", aucLower = "auc_lower", aucUpper = "auc_upper"
        }
    }

    /// One template verification method: its operating point per FAR.
    public struct Verification: Codable, Equatable, Sendable {
        public var tar: [Double?]
        public var far: [Double?]
        public var threshold: [Double?]
    }

    /// A number as the file holds it: `nil` (null) unless finite.
    public static func defined(_ v: Double) -> Double? { v.isFinite ? v : nil }
    public static func defined(_ v: [Double]) -> [Double?] { v.map(defined) }
    public static func defined(_ v: [[Double]]) -> [[Double?]] { v.map(defined) }

    /// The file's bytes: compact JSON, sorted keys, one trailing newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads `url`; a missing or malformed file is a one-line `InputError` naming it.
    public static func read(_ url: URL) throws -> ResultsFile {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw InputError(file: url.path, "missing (expected the results.json of a reject or fusion stage)")
        }
        do {
            return try JSONDecoder().decode(ResultsFile.self, from: data)
        } catch let error as DecodingError {
            throw InputError(file: url.path, "not the results.json of a reject or fusion stage (\(reason(error)))")
        }
    }

    /// A one-line account of a decoding error: where in the file and what was wrong.
    static func reason(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey], _ last: CodingKey? = nil) -> String {
            let parts = (keys + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
            let text = parts.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        let text: String
        switch error {
        case let .keyNotFound(key, c): text = "no key '\(path(c.codingPath, key))'"
        case let .typeMismatch(_, c), let .valueNotFound(_, c):
            text = "'\(path(c.codingPath))': \(c.debugDescription)"
        case let .dataCorrupted(c):
            text = c.codingPath.isEmpty ? "not valid JSON" : "'\(path(c.codingPath))': \(c.debugDescription)"
        @unknown default: text = "\(error)"
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
