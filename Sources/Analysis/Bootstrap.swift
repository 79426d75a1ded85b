import Core
import Foundation

/// Percentile bootstrap intervals for TAR@FAR (all pairs) and reject-curve AUC, resampling
/// subjects (docs/metrics.md): every pair belongs to the subject of its left image; a
/// replicate draws as many subjects as there are, uniformly with replacement (SplitMix64 with
/// the given seed), and takes all pairs of every drawn subject, in draw order. Replicates
/// without a positive or a negative pair are skipped and counted.
public struct BootstrapIntervals: Sendable, Equatable {
    public var replicates: Int
    public var skipped: Int
    public var confidence: Double
    /// `[far]` bounds of TAR@FAR over all pairs (portion 0).
    public var tarLower: [Double], tarUpper: [Double]
    /// `[far]` bounds of the AUC over the requested portions.
    public var aucLower: [Double], aucUpper: [Double]
}

/// numpy's default (linear) percentile of sorted values, `q` in [0, 1].
public func percentile(sorted v: [Double], _ q: Double) -> Double {
    guard !v.isEmpty else { return .nan }
    let pos = q * Double(v.count - 1)
    let lo = Int(pos.rounded(.down)), hi = min(lo + 1, v.count - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - Double(lo))
}

public func bootstrapIntervals(scores: [Float], pairUncertainty: [Float], labels: [Bool], subjects: [Int64],
                               mode: UncertaintyMode, fars: [Double], portions: [Double],
                               replicates: Int, seed: UInt64, confidence: Double = 0.95,
                               rule: FARRule = .reference, tieOrder: TieOrder = .reference) throws -> BootstrapIntervals {
    guard replicates > 0 else { throw AnalysisError.invalidArgument("the bootstrap needs at least 1 replicate") }
    guard subjects.count == scores.count else {
        throw AnalysisError.shapeMismatch("\(subjects.count) subjects for \(scores.count) pairs")
    }
    // pairs grouped by subject, subjects in order of first appearance
    var groupOf: [Int64: Int] = [:]
    var groups: [[Int]] = []
    for (i, s) in subjects.enumerated() {
        if let g = groupOf[s] { groups[g].append(i) } else { groupOf[s] = groups.count; groups.append([i]) }
    }
    var rng = SplitMix64(seed: seed)
    var tars = [[Double]](repeating: [], count: fars.count), aucs = tars
    var skipped = 0
    for _ in 0..<replicates {
        var idx: [Int] = []
        for _ in 0..<groups.count { idx += groups[rng.index(below: groups.count)] }
        let s = idx.map { scores[$0] }, u = idx.map { pairUncertainty[$0] }, y = idx.map { labels[$0] }
        guard y.contains(true), y.contains(false) else { skipped += 1; continue }
        let ranks = ScoreRanks(scores: s, labels: y)
        let points = try ranks.operatingPoints(fars: fars, rule: rule)
        let curve = try rejectCurve(ranks: ranks, pairUncertainty: u, mode: mode, fars: fars, portions: portions,
                                    rule: rule, tieOrder: tieOrder)
        for f in fars.indices {
            tars[f].append(points[f].tar)
            if !curve.auc[f].isNaN { aucs[f].append(curve.auc[f]) }
        }
    }
    let a = (1 - confidence) / 2
    let st = tars.map { $0.sorted() }, sa = aucs.map { $0.sorted() }
    return BootstrapIntervals(replicates: replicates, skipped: skipped, confidence: confidence,
                              tarLower: st.map { percentile(sorted: $0, a) }, tarUpper: st.map { percentile(sorted: $0, 1 - a) },
                              aucLower: sa.map { percentile(sorted: $0, a) }, aucUpper: sa.map { percentile(sorted: $0, 1 - a) })
}
