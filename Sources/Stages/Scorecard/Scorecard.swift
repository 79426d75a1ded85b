import ArgumentParser
import Core
import Pipeline
import Analysis
import Foundation
import Store

/// The headline figures of an uncertainty evaluation, side by side, with pass/fail against
/// stated targets (`kind: scorecard`, docs/pipeline.md):
/// - for each reject stage given: TAR@FAR with nothing rejected, and the reject curve's AUC at
///   that FAR for one metric, with its ratio to a baseline stage's AUC (the random order);
/// - for each strategy in a store: Spearman's correlation between its per-image value and a
///   recorded per-image covariate (the synthetic degradation severity), over a subset.
public struct Scorecard: Codable, Equatable {
    public struct Curve: Codable, Equatable {
        public var stage: String
        public var strategy: String
        public var metric: String
        public var portions: [Double]
        public var tar: [Double?]
        public var tarNoneRejected: Double?
        public var auc: Double?
        public var aucRatio: Double?
    }

    public struct Correlation: Codable, Equatable {
        public var strategy: String
        public var mode: String
        public var images: Int
        public var spearman: Double?
    }

    public struct Check: Codable, Equatable {
        public var name: String
        public var value: Double?
        public var target: String
        public var pass: Bool
    }

    public var far: Double
    public var metric: String
    public var baseline: String
    public var covariate: String
    public var curves: [Curve]
    public var correlations: [Correlation]
    public var checks: [Check]
}

/// The options of `kind: scorecard` (docs/pipeline.md).
public struct ScorecardOptions: ParsableArguments, Sendable {
    @Option(help: "The FAR the TAR and AUC are read at.")
    public var far = 1e-2
    @Option(help: "Reject metric compared across stages.")
    public var metric = "cosine_mean"
    @Option(help: "STAGE=METRIC items, where a stage is read at another metric (a PFE vector uncertainty, say).")
    public var stageMetrics: CommaList<String> = []
    @Option(help: "The reject stage the checks are about.")
    public var method: String
    @Option(help: "The reject stage of the baseline (e.g. strategy random).")
    public var baseline: String
    @Option(help: "Per-image CSV with a `path` column and the covariate column (severity.csv of `synth`).")
    public var covariateFile: InputFile?
    @Option(help: "The column correlated with each strategy.")
    public var covariate = "severity"
    @Option(help: "Image list the correlation is over (default: every image of the store).")
    public var subset: InputFile?
    @Option(help: "The strategy whose correlation is checked.")
    public var correlated = "scale"
    @Option(help: "Target: TAR with nothing rejected.")
    public var minTar = 0.5
    @Option(help: "Target: the method's AUC over the baseline's.")
    public var minAucRatio = 1.1
    @Option(help: "Target: Spearman correlation at most this.")
    public var maxSpearman = -0.5

    public init() {}

    /// Stage name -> metric, from `stage_metrics`.
    public func stageMetricMap(stages: [String]) throws -> [String: String] {
        var map: [String: String] = [:]
        for item in stageMetrics.items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, stages.contains(parts[0]) else {
                throw InputError(file: "stage_metrics", "item '\(item)' is not STAGE=METRIC for a reject input (\(stages.joined(separator: ", ")))")
            }
            map[parts[0]] = parts[1]
        }
        return map
    }
}

/// Reads the reject artifacts and the store and computes the scorecard (`kind: scorecard`).
public struct ScorecardJob {
    public var options: ScorecardOptions
    /// Reject stage name and its artifact folder, in display order.
    public var rejects: [(stage: String, directory: URL)]
    public var store: String?

    public init(_ options: ScorecardOptions, rejects: [(stage: String, directory: URL)], store: String?) {
        self.options = options
        self.rejects = rejects
        self.store = store
    }

    // Shorthands for the options the code reads.
    private var far: Double { options.far }
    private var metric: String { options.metric }
    private var method: String { options.method }
    private var baseline: String { options.baseline }
    private var covariateFile: String? { store == nil ? nil : options.covariateFile?.path }
    private var covariate: String { options.covariate }
    private var subset: String? { options.subset?.path }
    private var correlated: String { options.correlated }
    private var minTAR: Double { options.minTar }
    private var minAUCRatio: Double { options.minAucRatio }
    private var maxSpearman: Double { options.maxSpearman }

    public func build() throws -> Scorecard {
        var curves = try rejects.map { try curve(stage: $0.stage, directory: $0.directory) }
        guard let base = curves.first(where: { $0.stage == baseline }) else {
            throw InputError(file: "scorecard", "baseline '\(baseline)' is not among the reject inputs (\(rejects.map(\.stage).joined(separator: ", ")))")
        }
        guard curves.contains(where: { $0.stage == method }) else {
            throw InputError(file: "scorecard", "method '\(method)' is not among the reject inputs (\(rejects.map(\.stage).joined(separator: ", ")))")
        }
        for i in curves.indices {
            guard curves[i].portions == base.portions else {
                throw InputError(file: rejects[i].directory.appendingPathComponent(ResultsArtifact.file).path,
                                 "rejected portions differ from the baseline's; AUCs are comparable only over the same portions")
            }
            if let a = curves[i].auc, let b = base.auc, b > 0 { curves[i].aucRatio = a / b }
        }
        let correlations = try correlationsWithCovariate()
        let m = curves.first { $0.stage == method }!
        var checks = [
            Scorecard.Check(name: "TAR@FAR=\(shortNumber(far)), nothing rejected (\(method))", value: m.tarNoneRejected,
                            target: ">= \(shortNumber(minTAR))", pass: (m.tarNoneRejected ?? -.infinity) >= minTAR),
            Scorecard.Check(name: "reject AUC@FAR=\(shortNumber(far)) of \(method) (\(m.metric)) / \(baseline)", value: m.aucRatio,
                            target: ">= \(shortNumber(minAUCRatio))", pass: (m.aucRatio ?? -.infinity) >= minAUCRatio),
        ]
        if let c = correlations.first(where: { $0.strategy == correlated }) {
            checks.append(Scorecard.Check(name: "Spearman(\(correlated), \(covariate))", value: c.spearman,
                                          target: "<= \(shortNumber(maxSpearman))", pass: (c.spearman ?? .infinity) <= maxSpearman))
        } else if let store, covariateFile != nil {
            throw InputError(file: store, "no strategy '\(correlated)' to correlate with \(covariate)")
        }
        return Scorecard(far: far, metric: metric, baseline: baseline, covariate: covariate, curves: curves,
                         correlations: correlations, checks: checks)
    }

    func curve(stage: String, directory: URL) throws -> Scorecard.Curve {
        let url = directory.appendingPathComponent(ResultsArtifact.file)
        let path = url.path
        let results = try ResultsFile.read(url)
        guard let f = results.fars.firstIndex(where: { abs($0 - far) <= 1e-12 * max(1, far) }) else {
            throw InputError(file: path, "no FAR \(shortNumber(far)) (the stage has \(results.fars.map(shortNumber).joined(separator: ", ")))")
        }
        let metric = try options.stageMetricMap(stages: rejects.map(\.stage))[stage] ?? self.metric
        guard let m = results.metrics[metric] else {
            throw InputError(file: path, "no metric '\(metric)' (the stage has \(results.metrics.keys.sorted().joined(separator: ", ")))")
        }
        let tar = m.tar[safe: f] ?? []
        let auc = m.auc[safe: f] ?? nil
        let strategy = ArtifactRecord.load(directory.appendingPathComponent(ArtifactRecord.fileName))?.parameters["strategy"] ?? ""
        return Scorecard.Curve(stage: stage, strategy: strategy, metric: metric, portions: results.portions,
                               tar: tar, tarNoneRejected: tar.first ?? nil, auc: auc, aucRatio: nil)
    }

    func correlationsWithCovariate() throws -> [Scorecard.Correlation] {
        guard let store, let covariateFile else { return [] }
        let values = try readCovariate(covariateFile)
        let opened = try EmbeddingStore.open(store)
        let paths = try opened.paths()
        let keep = try subset.map { Set(try readPathList($0)) }
        let rows = paths.indices.filter { keep?.contains(paths[$0]) ?? true }
        var covariate: [Double] = []
        for r in rows {
            guard let v = values[paths[r]] else {
                throw InputError(file: covariateFile, "no \(self.covariate) for image '\(paths[r])' of the store")
            }
            covariate.append(v)
        }
        return try opened.strategies.map { s in
            let u = try opened.uncertainty(named: s.name)
            let perImage = UncertaintyDistribution(strategy: s.name, mode: s.mode, values: u.values, width: u.width).values
            return Scorecard.Correlation(strategy: s.name, mode: s.mode.rawValue, images: rows.count,
                                         spearman: spearmanCorrelation(rows.map { Double(perImage[$0]) }, covariate))
        }
    }

    /// `path -> value` of the `covariate` column of a CSV file with a header line.
    func readCovariate(_ file: String) throws -> [String: Double] {
        let lines = try readTextLines(file)
        guard let header = lines.first else { throw InputError(file: file, "empty file, expected a header line") }
        let names = header.text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pathColumn = names.firstIndex(of: "path"), let column = names.firstIndex(of: covariate) else {
            throw InputError(file: file, line: header.number, "expected columns 'path' and '\(covariate)' in the header, found \(names.joined(separator: ", "))")
        }
        var out: [String: Double] = [:]
        for line in lines.dropFirst() {
            let fields = line.text.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == names.count, let v = Double(fields[column].trimmingCharacters(in: .whitespaces)) else {
                throw InputError(file: file, line: line.number, "expected \(names.count) fields with a number in '\(covariate)'")
            }
            out[String(fields[pathColumn])] = v
        }
        return out
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
