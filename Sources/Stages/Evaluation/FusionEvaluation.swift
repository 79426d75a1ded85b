import Core
import Datasets
import Analysis
import Foundation

/// Template verification and template reject verification (docs/metrics.md, "Template fusion").
public struct FusionEvaluationOptions: Sendable {
    public var verification: [FusionMetric]
    public var reject: [FusionMetric]
    public var curve: CurveOptions
    public var equalUncertaintyEnroll: Bool
    public var seed: UInt64

    public init(verification: [FusionMetric], reject: [FusionMetric], curve: CurveOptions,
                equalUncertaintyEnroll: Bool = false, seed: UInt64 = 0) {
        self.verification = verification
        self.reject = reject
        self.curve = curve
        self.equalUncertaintyEnroll = equalUncertaintyEnroll
        self.seed = seed
    }

    var fusions: [FusionMethod] {
        var seen: [FusionMethod] = []
        for m in verification + reject where !seen.contains(m.fusion) { seen.append(m.fusion) }
        return seen
    }
}

/// Fuses the store's images into templates once per distinct fusion method. Kept separate so
/// the caller can release the image embeddings before pair scoring.
public func fuseAll(inputs: EvaluationInputs, templates: TemplateProtocol, options: FusionEvaluationOptions,
                    log: Log = Log(quiet: true)) throws -> [FusionMethod: FusedTemplates] {
    var out: [FusionMethod: FusedTemplates] = [:]
    for f in options.fusions {
        log("fusing \(templates.templateIDs.count) templates with \(f)")
        out[f] = try fuseTemplates(f, embeddings: inputs.embeddings, uncertainty: inputs.uncertainty,
                                   templates: templates.members, seed: options.seed)
    }
    return out
}

public func evaluateTemplates(fused: [FusionMethod: FusedTemplates], pairs: PairIndex, options: FusionEvaluationOptions,
                              storedMode: UncertaintyMode?, subjects: [Int64]? = nil,
                              pairClassifier: PairClassifierFunction? = nil,
                              log: Log = Log(quiet: true)) throws -> EvaluationResults {
    try requireMeasurable(pairs, fars: options.curve.fars, what: "the template pairs")
    var scorers: [FusionMethod: PairScorer] = [:]
    func scorer(_ f: FusionMethod) throws -> PairScorer {
        if let s = scorers[f] { return s }
        guard let t = fused[f] else { throw AnalysisError.invalidArgument("fusion \(f) was not computed") }
        var u = t.uncertainty
        if options.equalUncertaintyEnroll, let v = u { u = try equalUncertaintyEnroll(v, pairs: pairs) }
        let s = try PairScorer(embeddings: t.embeddings, uncertainty: u, pairs: pairs, bias: options.curve.bias)
        s.pairClassifier = pairClassifier  // run on the fused templates, left template first
        scorers[f] = s
        return s
    }
    var results = EvaluationResults(kind: .fusion, fars: options.curve.fars, portions: options.curve.portions,
                                    pairs: pairs.count, positives: pairs.positives, farRule: options.curve.farRule)
    let ranks = RanksCache()
    // verification scores first (serially, they fill the scorers' caches); their ranks are
    // built below, in parallel with the reject metrics' when those share nothing
    for m in options.verification {
        try ranks.prepare(try scorer(m.fusion), m.distance, name: m.description)
    }
    if !options.reject.isEmpty {
        for m in options.reject where !m.fusion.hasUncertainty && m.uncertainty != .classifier {
            throw AnalysisError.invalidArgument("reject metric \(m): fusion '\(m.fusion)' gives no template uncertainty")
        }
        let mode = try options.curve.resolvedMode(stored: classifierMode(options.reject.map(\.uncertainty)) ?? storedMode)
        let jobs = try options.reject.map { m in
            (name: m.description, scorer: try scorer(m.fusion),
             metric: PairMetric(distance: m.distance, uncertainty: m.uncertainty!))
        }
        let curves = try rejectCurves(jobs, mode: mode, options: options.curve, ranks: ranks, log: log)
        results.metrics = curves.map { (name: $0.0, curve: $0.1) }
        for c in curves { results.histograms[c.0] = c.2 }
        for (job, m) in zip(jobs, options.reject) {
            try addCurveExtras(&results, name: job.name, scorer: job.scorer, metric: job.metric,
                               rowQuality: job.scorer.uncertainty.map { imageQuality($0, mode: mode) },
                               rowSubjects: subjects,
                               subjectSource: "the \(m.fusion) templates have no subjects (the insightface layout has none)",
                               mode: mode, options: options.curve, log: log)
        }
    }
    let verificationScorers = try options.verification.map { try scorer($0.fusion) }
    let points = try parallelMap(options.verification.count) { i -> [OperatingPoint] in
        let m = options.verification[i]
        return try withMetric(m.description) {
            try ranks.ranks(verificationScorers[i], m.distance, name: m.description)
                .operatingPoints(fars: options.curve.fars, rule: options.curve.farRule)
        }
    }
    for (m, p) in zip(options.verification, points) {
        results.verification.append(.init(name: m.description, points: p))
    }
    log("template verification: \(options.verification.map(\.description).joined(separator: ", "))")
    return results
}
