import Core
import Datasets
import Analysis
import Foundation

/// Template verification and template reject verification (docs/metrics.md, "Template fusion"
/// and "Template versus single image").
public struct FusionEvaluationOptions: Sendable {
    public var verification: [FusionMetric]
    public var reject: [FusionMetric]
    public var curve: CurveOptions
    /// The template-versus-single-image setup: the enrolment side fused with the metric's
    /// method, the verification side with `first`; the enrolment side's uncertainty is 1 in the
    /// pair uncertainty that orders the rejection (not in the scores).
    public var equalUncertaintyEnroll: Bool
    public var seed: UInt64
    /// The `biased-cosine` bias per (enrolment) fusion, measured on a validation protocol
    /// (`validationBiases`); a fusion without an entry uses `curve.bias`.
    public var biases: [FusionMethod: Double] = [:]

    public init(verification: [FusionMetric], reject: [FusionMetric], curve: CurveOptions,
                equalUncertaintyEnroll: Bool = false, seed: UInt64 = 0) {
        self.verification = verification
        self.reject = reject
        self.curve = curve
        self.equalUncertaintyEnroll = equalUncertaintyEnroll
        self.seed = seed
    }

    /// Every fusion the metrics name, in order, then `first` for the single-image side.
    var fusions: [FusionMethod] {
        var seen: [FusionMethod] = []
        for m in verification + reject where !seen.contains(m.fusion) { seen.append(m.fusion) }
        if equalUncertaintyEnroll && !seen.contains(.first) { seen.append(.first) }
        return seen
    }

    /// The fusions of the metrics whose score needs the `biased-cosine` bias.
    public var biasedFusions: [FusionMethod] {
        var seen: [FusionMethod] = []
        for m in verification + reject where m.distance.needsBias && !seen.contains(m.fusion) { seen.append(m.fusion) }
        return seen
    }
}

/// Fuses the store's images into templates once per distinct fusion method. Kept separate so
/// the caller can release the image embeddings before pair scoring.
public func fuseAll(inputs: EvaluationInputs, templates: TemplateProtocol, options: FusionEvaluationOptions,
                    log: Log = Log(quiet: true)) throws -> [FusionMethod: FusedTemplates] {
    try fuse(options.fusions, inputs: inputs, templates: templates, seed: options.seed, log: log)
}

private func fuse(_ fusions: [FusionMethod], inputs: EvaluationInputs, templates: TemplateProtocol, seed: UInt64,
                  log: Log) throws -> [FusionMethod: FusedTemplates] {
    var out: [FusionMethod: FusedTemplates] = [:]
    for f in fusions {
        log("fusing \(templates.templateIDs.count) templates with \(f)")
        out[f] = try fuseTemplates(f, embeddings: inputs.embeddings, uncertainty: inputs.uncertainty,
                                   templates: templates.members, seed: seed)
    }
    return out
}

/// The matrices the pairs of one (enrolment) fusion are scored on.
private struct FusionSide {
    /// Scores (and, in the full setup, pair uncertainties).
    var scorer: PairScorer
    /// Pair uncertainties: the enrolment side's set to 1 in the single-image setup.
    var ranking: PairScorer
    /// Rows of the scorer's matrices that are enrolment templates fused with `first` (none in
    /// the full setup): their quality does not count in the EDC's pair quality.
    var enrolmentRows: Int
}

private func side(_ f: FusionMethod, fused: [FusionMethod: FusedTemplates], pairs: PairIndex,
                  equalUncertaintyEnroll: Bool, bias: Double?,
                  pairClassifier: PairClassifierFunction? = nil) throws -> FusionSide {
    guard let t = fused[f] else { throw AnalysisError.invalidArgument("fusion \(f) was not computed") }
    guard equalUncertaintyEnroll else {
        let s = try PairScorer(embeddings: t.embeddings, uncertainty: t.uncertainty, pairs: pairs, bias: bias)
        s.pairClassifier = pairClassifier  // run on the fused templates, left template first
        return FusionSide(scorer: s, ranking: s, enrolmentRows: 0)
    }
    guard let first = fused[.first] else { throw AnalysisError.invalidArgument("fusion first was not computed") }
    let sides = try TemplateSides(enrolment: t, verification: first, pairs: pairs)
    let scorer = try PairScorer(embeddings: sides.embeddings, uncertainty: sides.uncertainty, pairs: sides.pairs, bias: bias)
    let ranking = try PairScorer(embeddings: sides.embeddings, uncertainty: sides.rankingUncertainty, pairs: sides.pairs,
                                 bias: bias)
    scorer.pairClassifier = pairClassifier
    ranking.pairClassifier = pairClassifier
    return FusionSide(scorer: scorer, ranking: ranking, enrolmentRows: sides.enrolmentRows)
}

/// The `biased-cosine` bias of every biased fusion on a validation protocol:
/// `b = (mean cos | genuine + mean cos | impostor) / 2` of its template pairs, fused and paired
/// in the same setup as the evaluation (docs/metrics.md, "The biased-cosine bias of templates").
public func validationBiases(inputs: EvaluationInputs, validation: TemplateProtocol, options: FusionEvaluationOptions,
                             log: Log = Log(quiet: true)) throws -> [FusionMethod: Double] {
    let biased = options.biasedFusions
    guard !biased.isEmpty else { return [:] }
    let fusions = biased + (options.equalUncertaintyEnroll && !biased.contains(.first) ? [.first] : [])
    let fused = try fuse(fusions, inputs: inputs, templates: validation, seed: options.seed, log: log)
    var out: [FusionMethod: Double] = [:]
    for f in biased {
        let s = try side(f, fused: fused, pairs: validation.pairs, equalUncertaintyEnroll: options.equalUncertaintyEnroll,
                         bias: nil)
        out[f] = try cosineBias(cosines: s.scorer.cosines, labels: validation.pairs.labels)
        log("biased-cosine bias of \(f) from \(validation.pairs.count) validation template pairs: \(out[f]!)")
    }
    return out
}

public func evaluateTemplates(fused: [FusionMethod: FusedTemplates], pairs: PairIndex, options: FusionEvaluationOptions,
                              storedMode: UncertaintyMode?, subjects: [Int64]? = nil,
                              pairClassifier: PairClassifierFunction? = nil,
                              log: Log = Log(quiet: true)) throws -> EvaluationResults {
    try requireMeasurable(pairs, fars: options.curve.fars, what: "the template pairs", log: log)
    var sides: [FusionMethod: FusionSide] = [:]
    func sideOf(_ f: FusionMethod) throws -> FusionSide {
        if let s = sides[f] { return s }
        let s = try side(f, fused: fused, pairs: pairs, equalUncertaintyEnroll: options.equalUncertaintyEnroll,
                         bias: options.biases[f] ?? options.curve.bias, pairClassifier: pairClassifier)
        sides[f] = s
        return s
    }
    var results = EvaluationResults(kind: .fusion, fars: options.curve.fars, portions: options.curve.portions,
                                    pairs: pairs.count, positives: pairs.positives, farRule: options.curve.farRule)
    results.equalUncertaintyEnroll = options.equalUncertaintyEnroll
    for f in options.biasedFusions {
        guard let b = options.biases[f] ?? options.curve.bias else {
            throw AnalysisError.invalidArgument(
                "the biased-cosine metrics of fusion \(f) need the bias: give --bias b or --val-protocol DIR")
        }
        results.bias[f.description] = b
        log("biased-cosine bias of \(f): \(b)")
    }
    let ranks = RanksCache()
    // verification scores first (serially, they fill the scorers' caches); their ranks are
    // built below, in parallel with the reject metrics' when those share nothing
    for m in options.verification {
        try ranks.prepare(try sideOf(m.fusion).scorer, m.distance, name: m.description)
    }
    if !options.reject.isEmpty {
        for m in options.reject where !m.fusion.hasUncertainty && m.uncertainty != .classifier {
            throw AnalysisError.invalidArgument("reject metric \(m): fusion '\(m.fusion)' gives no template uncertainty")
        }
        let mode = try options.curve.resolvedMode(stored: classifierMode(options.reject.map(\.uncertainty)) ?? storedMode)
        let jobSides = try options.reject.map { try sideOf($0.fusion) }
        let jobs = zip(options.reject, jobSides).map { m, s in
            (name: m.description, scorer: s.scorer, metric: PairMetric(distance: m.distance, uncertainty: m.uncertainty!))
        }
        let curves = try rejectCurves(jobs, mode: mode, options: options.curve, ranks: ranks, log: log,
                                      rankingScorers: jobSides.map(\.ranking))
        results.metrics = curves.map { (name: $0.0, curve: $0.1) }
        for c in curves { results.histograms[c.0] = c.2 }
        for ((job, m), s) in zip(zip(jobs, options.reject), jobSides) {
            try addCurveExtras(&results, name: job.name, scorer: job.scorer, metric: job.metric,
                               rowQuality: s.scorer.uncertainty.map { rowQuality($0, mode: mode, ignoring: s.enrolmentRows) },
                               rowSubjects: subjects.map { s.enrolmentRows > 0 ? $0 + $0 : $0 },
                               subjectSource: "the \(m.fusion) templates have no subjects (the insightface layout has none)",
                               mode: mode, options: options.curve, log: log, rankingScorer: s.ranking)
        }
    }
    let verificationScorers = try options.verification.map { try sideOf($0.fusion).scorer }
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

/// Template qualities for the EDC; the first `ignoring` rows (the single-image setup's
/// enrolment side) get +infinity, so a pair's quality `min(left, right)` is its verification
/// image's.
private func rowQuality(_ uncertainty: RowMatrix, mode: UncertaintyMode, ignoring: Int) -> [Float] {
    var q = imageQuality(uncertainty, mode: mode)
    for r in 0..<ignoring { q[r] = .infinity }
    return q
}
