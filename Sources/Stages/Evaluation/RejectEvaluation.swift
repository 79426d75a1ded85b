import Core
import Analysis
import Foundation

/// Parameters shared by image-pair and template reject evaluations.
public struct CurveOptions: Sendable {
    public var fars: [Double]
    public var portions: [Double]
    /// nil: the strategy's stored mode.
    public var mode: UncertaintyMode?
    /// The `biased-cosine` bias, when given directly.
    public var bias: Double?
    /// Also compute the FNM-EDC (docs/metrics.md) with this pAUC discard limit.
    public var edcLimit: Double?
    /// Bootstrap replicates (0 = none) and their seed.
    public var bootstrap = 0
    public var seed: UInt64 = 0
    /// How every TAR@FAR point is found (docs/metrics.md, "FAR rules: reference and insightface").
    public var farRule: FARRule = .reference
    /// How pairs with equal uncertainty are ordered (docs/metrics.md, "Tie order").
    public var tieOrder: TieOrder = .reference

    public init(fars: [Double], portions: [Double], mode: UncertaintyMode? = nil, bias: Double? = nil) {
        self.fars = fars
        self.portions = portions
        self.mode = mode
        self.bias = bias
    }

    func resolvedMode(stored: UncertaintyMode?) throws -> UncertaintyMode {
        guard let m = mode ?? stored else {
            throw AnalysisError.invalidArgument("no strategy gives the uncertainty mode: give the mode (uncertainty or confidence)")
        }
        return m
    }
}

/// `uncertainty` when every metric ranks by the classifier's `1 - max p` (an uncertainty whatever
/// the strategy's stored mode; `--mode` still overrides it), so such metrics need no strategy
/// (docs/metrics.md, "Pair classifiers").
func classifierMode(_ uncertainties: [PairUncertainty?]) -> UncertaintyMode? {
    !uncertainties.isEmpty && uncertainties.allSatisfy({ $0 == .classifier }) ? .uncertainty : nil
}

/// Checks a pair set can give TAR@FAR (both labels present) and warns once per FAR with
/// fewer than one impostor pair behind it (computed as the reference does: docs/metrics.md).
func requireMeasurable(_ pairs: PairIndex, fars: [Double], what: String, log: Log) throws {
    let positives = pairs.positives
    guard positives > 0 else { throw AnalysisError.noPositives(context: what) }
    guard positives < pairs.count else { throw AnalysisError.noNegatives(context: what) }
    let negatives = pairs.count - positives
    for far in underResolvedFARs(fars, negatives: negatives) { log(underResolvedFARWarning(far, negatives: negatives)) }
}

/// Score ranks per (scorer, distance), built once and shared by verification and by every
/// reject metric with the same score. `ranks` may be called from several threads once the
/// scores themselves exist (`scores(_:_:name:)` is called first, serially): each entry is
/// built by the first thread that asks, the others wait for it.
final class RanksCache: @unchecked Sendable {
    private final class Entry: @unchecked Sendable {
        let scores: [Float]
        let labels: [Bool]
        let lock = NSLock()
        var ranks: ScoreRanks?
        init(scores: [Float], labels: [Bool]) { self.scores = scores; self.labels = labels }
    }

    private struct Key: Hashable { var scorer: ObjectIdentifier; var distance: PairDistance }
    private var entries: [Key: Entry] = [:]
    private let lock = NSLock()

    /// Computes (serially) and checks the scores of `distance`.
    func prepare(_ scorer: PairScorer, _ distance: PairDistance, name: String) throws {
        let key = Key(scorer: ObjectIdentifier(scorer), distance: distance)
        if lock.withLock({ entries[key] }) != nil { return }
        let scores = try withMetric(name) { () throws -> [Float] in
            let s = try scorer.scores(distance)
            try requireNoNaN(s, what: "score")
            return s
        }
        lock.withLock { entries[key] = Entry(scores: scores, labels: scorer.pairs.labels) }
    }

    func ranks(_ scorer: PairScorer, _ distance: PairDistance, name: String) throws -> ScoreRanks {
        try prepare(scorer, distance, name: name)
        let entry = lock.withLock { entries[Key(scorer: ObjectIdentifier(scorer), distance: distance)]! }
        return entry.lock.withLock {
            if let r = entry.ranks { return r }
            let r = ScoreRanks(scores: entry.scores, labels: entry.labels)
            entry.ranks = r
            return r
        }
    }
}

/// Computes every metric's scores and pair uncertainties (serially: the scorers cache), then
/// score ranks and reject curves in parallel over metrics (one per core); each curve is
/// O(N log N). `rankingScorers[i]`, when given, computes job i's pair uncertainties instead of
/// its scorer (the template-versus-single-image setup, docs/metrics.md).
func rejectCurves(_ jobs: [(name: String, scorer: PairScorer, metric: PairMetric)],
                  mode: UncertaintyMode, options: CurveOptions, ranks: RanksCache,
                  log: Log, rankingScorers: [PairScorer]? = nil) throws -> [(String, RejectCurve, MetricHistograms)] {
    var uncertainties: [[Float]] = []
    for (i, job) in jobs.enumerated() {
        log("scoring \(job.name) over \(job.scorer.pairs.count) pairs")
        try ranks.prepare(job.scorer, job.metric.distance, name: job.name)
        uncertainties.append(try withMetric(job.name) { () throws -> [Float] in
            let u = try (rankingScorers?[i] ?? job.scorer).uncertainties(job.metric.uncertainty)
            try requireNoNaN(u, what: "pair uncertainty")
            return u
        })
    }
    log("reject curves: \(jobs.count) metrics x \(options.portions.count) portions x \(options.fars.count) FARs")
    let results = try parallelMap(jobs.count) { i -> (RejectCurve, MetricHistograms) in
        try withMetric(jobs[i].name) {
            let r = try ranks.ranks(jobs[i].scorer, jobs[i].metric.distance, name: jobs[i].name)
            let curve: RejectCurve
            if options.farRule == .cross {
                curve = try rejectCurve(ranks: r, pairUncertainty: crossPairValues(jobs[i].scorer, jobs[i].metric, uncertainties[i]),
                                        mode: mode, fars: options.fars, portions: options.portions, rule: .cross,
                                        tieOrder: options.tieOrder)
            } else {
                curve = try rejectCurve(ranks: r, pairUncertainty: uncertainties[i], mode: mode,
                                        fars: options.fars, portions: options.portions, rule: options.farRule,
                                        tieOrder: options.tieOrder)
            }
            return (curve, MetricHistograms(ranks: r, uncertainty: uncertainties[i], labels: jobs[i].scorer.pairs.labels))
        }
    }
    return zip(jobs, results).map { job, r in (job.name, r.0, r.1) }
}

/// The pair values cross.py sorts by: `c1 + c2` of two Python floats (float64) for a `mean`
/// metric over one-column uncertainties, otherwise the float32 pair uncertainty widened
/// (docs/metrics.md, "Cross rule").
func crossPairValues(_ scorer: PairScorer, _ metric: PairMetric, _ pairUncertainty: [Float]) -> [Double] {
    guard metric.uncertainty == .mean, let u = scorer.uncertainty, u.columns == 1 else {
        return pairUncertainty.map(Double.init)
    }
    let pairs = scorer.pairs
    return (0..<pairs.count).map { Double(u.values[Int(pairs.left[$0])]) + Double(u.values[Int(pairs.right[$0])]) }
}

/// Reject verification over image pairs (docs/metrics.md, "Reject curves").
public func evaluateImagePairs(inputs: EvaluationInputs, pairs: PairIndex, metrics: [PairMetric],
                               options: CurveOptions, validationPairs: PairIndex? = nil,
                               pairClassifier: PairClassifierFunction? = nil,
                               log: Log = Log(quiet: true)) throws -> EvaluationResults {
    try requireMeasurable(pairs, fars: options.fars, what: "the pair set", log: log)
    let needsU = metrics.contains { $0.distance.needsUncertainty || $0.uncertainty.needsUncertainty }
    if needsU && inputs.uncertainty == nil {
        throw AnalysisError.invalidArgument("the metrics need a per-image uncertainty: give a strategy")
    }
    let mode = try options.resolvedMode(stored: classifierMode(metrics.map(\.uncertainty)) ?? inputs.storedMode)
    var bias = options.bias
    if bias == nil, metrics.contains(where: { $0.distance.needsBias }), let val = validationPairs {
        let scorer = try PairScorer(embeddings: inputs.embeddings, uncertainty: nil, pairs: val)
        bias = try cosineBias(cosines: scorer.cosines, labels: val.labels)
        log("biased-cosine bias from \(val.count) validation pairs: \(bias!)")
    }
    let scorer = try PairScorer(embeddings: inputs.embeddings, uncertainty: inputs.uncertainty, pairs: pairs, bias: bias)
    scorer.pairClassifier = pairClassifier
    let curves = try rejectCurves(metrics.map { ($0.description, scorer, $0) }, mode: mode, options: options,
                                  ranks: RanksCache(), log: log)
    var results = EvaluationResults(kind: .reject, fars: options.fars, portions: options.portions,
                                    pairs: pairs.count, positives: pairs.positives, farRule: options.farRule)
    results.metrics = curves.map { (name: $0.0, curve: $0.1) }
    for c in curves { results.histograms[c.0] = c.2 }
    for metric in metrics {
        try addCurveExtras(&results, name: metric.description, scorer: scorer, metric: metric,
                           rowQuality: inputs.uncertainty.map { imageQuality($0, mode: mode) },
                           rowSubjects: inputs.labels, subjectSource: "the store has no identity labels",
                           mode: mode, options: options, log: log)
    }
    return results
}

/// Adds the optional FNM-EDC (`options.edcLimit`) and bootstrap intervals (`options.bootstrap`)
/// of one metric to `results.edc` and `results.bootstrap`. `rowQuality` and `rowSubjects` are per row of the
/// scorer's matrices (images or templates); a pair's subject is its left row's.
func addCurveExtras(_ results: inout EvaluationResults, name: String, scorer: PairScorer, metric: PairMetric,
                    rowQuality: [Float]?, rowSubjects: [Int64]?, subjectSource: String,
                    mode: UncertaintyMode, options: CurveOptions, log: Log,
                    rankingScorer: PairScorer? = nil) throws {
    guard options.edcLimit != nil || options.bootstrap > 0 else { return }
    let pairs = scorer.pairs
    let scores = try scorer.scores(metric.distance)
    if let limit = options.edcLimit {
        guard let q = rowQuality else {
            throw AnalysisError.invalidArgument("the EDC needs per-image qualities: give a strategy")
        }
        log("EDC \(name)")
        let e = try withMetric(name) {
            try edCurve(scores: scores, labels: pairs.labels, pairQuality: pairQuality(q, pairs: pairs),
                        fars: options.fars, portions: options.portions, paucLimit: limit, rule: options.farRule)
        }
        results.edc[name] = ResultsFile.EDC(
            threshold: ResultsFile.defined(e.thresholds), startError: ResultsFile.defined(e.startError),
            discarded: ResultsFile.defined(e.discarded), fnmr: ResultsFile.defined(e.fnmr),
            pauc: ResultsFile.defined(e.pauc), paucLimit: e.paucLimit)
    }
    if options.bootstrap > 0 {
        guard let subjectOf = rowSubjects else {
            throw AnalysisError.invalidArgument("the bootstrap resamples subjects: \(subjectSource)")
        }
        log("bootstrap \(name): \(options.bootstrap) replicates")
        let b = try withMetric(name) {
            try bootstrapIntervals(scores: scores, pairUncertainty: try (rankingScorer ?? scorer).uncertainties(metric.uncertainty),
                                   labels: pairs.labels, subjects: pairs.left.map { subjectOf[Int($0)] },
                                   mode: mode, fars: options.fars, portions: options.portions,
                                   replicates: options.bootstrap, seed: options.seed, rule: options.farRule,
                                   tieOrder: options.tieOrder)
        }
        results.bootstrap[name] = ResultsFile.Bootstrap(
            replicates: b.replicates, skipped: b.skipped, confidence: b.confidence,
            tarLower: ResultsFile.defined(b.tarLower), tarUpper: ResultsFile.defined(b.tarUpper),
            aucLower: ResultsFile.defined(b.aucLower), aucUpper: ResultsFile.defined(b.aucUpper))
    }
}
