import Core
import Analysis
import Foundation
import Store

/// What `reject` and `fusion` write: results.json (through `ResultsFile`: numbers are numbers,
/// undefined values are null) and results.csv (one row per metric x FAR x portion).
public struct EvaluationResults: Sendable {
    public enum Kind: String, Codable, Sendable { case reject, fusion }

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
    /// Per metric: the FNM-EDC and the bootstrap intervals, when asked for (written beside the curve).
    public var edc: [String: ResultsFile.EDC] = [:]
    public var bootstrap: [String: ResultsFile.Bootstrap] = [:]
    /// `fusion`: the biased-cosine bias used, per fusion of a biased metric (`"bias"`).
    public var bias: [String: Double] = [:]
    /// LFW 10-fold accuracy, when asked for.
    public var tenFold: ResultsFile.TenFold?
    /// `fusion --equal-uncertainty-enroll` (template versus single image): adds the figure of
    /// every reject metric per FAR in the paper's layout (not written to results.json).
    public var equalUncertaintyEnroll = false
    /// Values for the histogram figures, per metric (not written to results.json).
    public var histograms: [String: MetricHistograms] = [:]

    /// results.json as the type it is read back through (undefined values become `nil`).
    public var file: ResultsFile {
        ResultsFile(
            kind: kind, fars: fars, portions: portions, pairs: pairs, positives: positives,
            farRule: farRule == .reference ? nil : farRule.rawValue,
            metrics: Dictionary(metrics.map { name, c in
                (name, ResultsFile.Metric(tar: ResultsFile.defined(c.tar), far: ResultsFile.defined(c.far),
                                          threshold: ResultsFile.defined(c.threshold), auc: ResultsFile.defined(c.auc),
                                          kept: c.kept, edc: edc[name], bootstrap: bootstrap[name]))
            }, uniquingKeysWith: { _, last in last }),  // a repeated name: JSON readers keep the last
            verification: kind != .fusion ? nil : Dictionary(verification.map { v in
                (v.name, ResultsFile.Verification(tar: ResultsFile.defined(v.points.map(\.tar)),
                                                  far: ResultsFile.defined(v.points.map(\.far)),
                                                  threshold: ResultsFile.defined(v.points.map(\.threshold))))
            }, uniquingKeysWith: { _, last in last }),
            tenFold: tenFold, bias: bias.isEmpty ? nil : bias)
    }

    public var csv: String {
        var out = "metric,far,portion,kept,tar,real_far,threshold\n"
        func num(_ v: Double) -> String { v.isNaN ? "" : Self.format(v) }
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
        try writeData(try file.encoded(), to: (directory as NSString).appendingPathComponent(ResultsArtifact.file))
        try writeText(csv, to: (directory as NSString).appendingPathComponent(ResultsArtifact.table))
        if figures { try writeEvaluationFigures(self, histograms: histograms, to: directory) }
    }
}

extension EvaluationResults {
    /// Shortest round-tripping decimal; integers without a fraction (results.csv, figure names).
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return "\(v)"
    }
}
