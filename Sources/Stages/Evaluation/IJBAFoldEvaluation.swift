import Analysis
import Core
import Datasets
import Foundation

/// TAR@FAR over IJB-A's 10 folds (docs/protocols.md, "IJB-A's 10 splits"): per fold and per
/// requested FAR, the TAR and the FAR reached; across folds their mean and the population
/// standard deviation of the TAR. Every fold targets the requested FARs.
public struct IJBAFoldSummary: Codable, Equatable, Sendable {
    public struct Metric: Codable, Equatable, Sendable {
        /// [FAR][fold]
        public var tar: [[Double]]
        public var far: [[Double]]
        public var threshold: [[Double]]
        /// [FAR]
        public var tarMean: [Double]
        public var tarStd: [Double]
        public var farMean: [Double]

        enum CodingKeys: String, CodingKey {
            case tar, far, threshold
            case tarMean = "tar_mean", tarStd = "tar_std", farMean = "far_mean"
        }
    }

    public var folds: [Int]
    public var fars: [Double]
    /// Pairs and genuine pairs scored in each fold.
    public var pairs: [Int]
    public var positives: [Int]
    public var verification: [String: Metric]

    public static let file = "folds.json"
    public static let table = "folds.csv"

    init(folds: [Int], results: [EvaluationResults], fars: [Double]) {
        self.folds = folds
        self.fars = fars
        pairs = results.map(\.pairs)
        positives = results.map(\.positives)
        var metrics: [String: Metric] = [:]
        for (m, v) in (results.first?.verification ?? []).enumerated() {
            func table(_ value: (OperatingPoint) -> Double) -> [[Double]] {
                fars.indices.map { f in results.map { value($0.verification[m].points[f]) } }
            }
            let tar = table(\.tar), far = table(\.far)
            metrics[v.name] = Metric(tar: tar, far: far, threshold: table(\.threshold),
                                     tarMean: tar.map(Self.mean), tarStd: tar.map(Self.populationStd),
                                     farMean: far.map(Self.mean))
        }
        verification = metrics
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    /// numpy's `np.std` (ddof 0): the root of the mean squared deviation from the mean.
    static func populationStd(_ x: [Double]) -> Double {
        let m = mean(x)
        return mean(x.map { ($0 - m) * ($0 - m) }).squareRoot()
    }

    /// One row per metric x FAR x fold, then the `mean` and `std` rows.
    public var csv: String {
        var out = "metric,far,fold,tar,real_far,threshold\n"
        func num(_ v: Double) -> String { EvaluationResults.format(v) }
        for name in verification.keys.sorted() {
            let m = verification[name]!
            for f in fars.indices {
                for (k, fold) in folds.enumerated() {
                    out += "\(name),\(num(fars[f])),\(fold),\(num(m.tar[f][k])),\(num(m.far[f][k])),\(num(m.threshold[f][k]))\n"
                }
                out += "\(name),\(num(fars[f])),mean,\(num(m.tarMean[f])),\(num(m.farMean[f])),\n"
                out += "\(name),\(num(fars[f])),std,\(num(m.tarStd[f])),,\n"
            }
        }
        return out
    }

    /// The fold means as a fusion results.json (threshold undefined), which the report reads.
    func meanResults(farRule: FARRule, order: [String]) -> EvaluationResults {
        var r = EvaluationResults(kind: .fusion, fars: fars, portions: [], pairs: pairs.reduce(0, +),
                                  positives: positives.reduce(0, +), farRule: farRule)
        r.verification = order.compactMap { name in
            verification[name].map { m in
                EvaluationResults.Verification(name: name, points: fars.indices.map {
                    OperatingPoint(tar: m.tarMean[$0], far: m.farMean[$0], threshold: .nan)
                })
            }
        }
        return r
    }
}

/// `fusion --protocol-format ijba`: the store's images fused into each fold's test templates
/// and template verification per fold; writes results.json/csv (fold means), folds.json and
/// folds.csv (per fold, mean and standard deviation).
public struct IJBAFoldJob {
    public var options: FusionOptions

    public init(_ options: FusionOptions) { self.options = options }

    @discardableResult
    public func run(out: String, log: Log) throws -> EvaluationResults {
        guard options.rejectMetrics.items.isEmpty else {
            throw AnalysisError.invalidArgument("IJB-A: template reject curves are not averaged over folds; give --fusions only")
        }
        let curve = options.curve.curveOptions
        let fusionOptions = FusionEvaluationOptions(
            verification: try options.fusions.items.map { try FusionMetric(name: $0, withUncertainty: false) },
            reject: [], curve: curve, seed: curve.seed)
        let store = options.store.path
        let index = ImageKeyIndex(paths: try EvaluationInputs.paths(store: store))
        let folds = try readIJBAFolds(directory: options.protocol.path, index: index)
        for f in folds {
            log("IJB-A fold \(f.number): \(f.templates.summary); \(f.trainTemplates) train templates (not scored)")
        }
        var inputs = try EvaluationInputs.load(store: store, strategy: options.curve.strategy, seed: curve.seed)
        if let flip = options.flipFeatures { try inputs.addFlipFeatures(store: flip.path) }
        log("loaded \(inputs.paths.count) images x \(inputs.embeddings.columns) from \(store)")
        let results = try folds.map { f -> EvaluationResults in
            do {
                let fused = try fuseAll(inputs: inputs, templates: f.templates, options: fusionOptions, log: log)
                return try evaluateTemplates(fused: fused, pairs: f.templates.pairs, options: fusionOptions,
                                             storedMode: inputs.storedMode, subjects: f.templates.subjects, log: log)
            } catch {
                throw AnalysisError.invalidArgument("IJB-A fold \(f.number): \(error)")
            }
        }
        let summary = IJBAFoldSummary(folds: folds.map(\.number), results: results, fars: curve.fars)
        let mean = summary.meanResults(farRule: curve.farRule, order: fusionOptions.verification.map(\.description))
        try mean.write(to: out)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try writeData(try encoder.encode(summary), to: (out as NSString).appendingPathComponent(IJBAFoldSummary.file))
        try writeText(summary.csv, to: (out as NSString).appendingPathComponent(IJBAFoldSummary.table))
        for m in mean.verification {
            let s = summary.verification[m.name]!
            log("\(m.name): " + curve.fars.indices.map {
                "TAR \(EvaluationResults.format(s.tarMean[$0])) +- \(EvaluationResults.format(s.tarStd[$0])) at FAR \(EvaluationResults.format(curve.fars[$0]))"
            }.joined(separator: "; "))
        }
        log("wrote \(out)/results.json, \(IJBAFoldSummary.file) and \(IJBAFoldSummary.table)")
        return mean
    }
}
