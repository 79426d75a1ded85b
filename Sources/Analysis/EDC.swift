import Core
import Foundation

/// The Error-versus-Discard Characteristic for false non-matches (FNM-EDC), as used in
/// ISO/IEC 29794-1 practice (docs/metrics.md gives the exact definition):
/// - the comparison threshold is fixed once, before discarding, on all pairs: for each FAR
///   the section 6 threshold (or `rule`'s, docs/metrics.md "FAR rules"), so the starting
///   error is `1 - TAR@FAR`;
/// - only mated (genuine) pairs are discarded, lowest pair quality first, where pair quality
///   is `min(q1, q2)` of the two images' qualities; pairs of equal quality are discarded
///   together, so only some discard fractions are reachable;
/// - at a requested discard fraction `r` the curve takes the largest reachable fraction
///   `d <= r` and reports the FNMR (`score < threshold`) of the mated pairs kept there;
/// - pAUC is the exact area under that right-continuous step function from 0 to `limit`.
public struct EDCurve: Sendable, Equatable {
    public var fars: [Double]
    public var thresholds: [Double]
    public var startError: [Double]
    public var portions: [Double]
    /// Reached discard fraction at every requested portion (ties make it lower).
    public var discarded: [Double]
    /// `[far][portion]` FNMR of the kept mated pairs.
    public var fnmr: [[Double]]
    public var pauc: [Double]
    public var paucLimit: Double
}

public func edCurve(scores: [Float], labels: [Bool], pairQuality: [Float], fars: [Double], portions: [Double],
                    paucLimit: Double = 0.2, rule: FARRule = .reference) throws -> EDCurve {
    guard scores.count == labels.count, pairQuality.count == labels.count else {
        throw AnalysisError.shapeMismatch("\(scores.count) scores, \(pairQuality.count) pair qualities, \(labels.count) labels")
    }
    guard paucLimit > 0 && paucLimit <= 1 else { throw AnalysisError.invalidArgument("pAUC limit \(paucLimit) is not in (0, 1]") }
    try requireNoNaN(pairQuality, what: "pair quality")
    let points = try tarAtFAR(scores: scores, labels: labels, fars: fars, rule: rule)
    let thresholds = points.map(\.threshold)
    // mated pairs in discard order: ascending quality
    let mated = labels.indices.filter { labels[$0] }
    let q = mated.map { pairQuality[$0] }
    let order = stableArgsort(q).map { mated[Int($0)] }
    let m = order.count
    // reachable discard counts: 0 and every end of a run of equal qualities
    var reachable = [0]
    var i = 0
    while i < m {
        var j = i + 1
        while j < m && pairQuality[order[j]] == pairQuality[order[i]] { j += 1 }
        reachable.append(j)
        i = j
    }
    // rejected (score < t) counts among the mated pairs discarded so far, per threshold
    var fnmrAt = [[Double]](repeating: [], count: fars.count)   // per reachable point
    for (f, t) in thresholds.enumerated() {
        var rejectedTotal = 0
        for p in order where Double(scores[p]) < t { rejectedTotal += 1 }
        var discardedRejected = 0, k = 0
        for c in reachable {
            while k < c { if Double(scores[order[k]]) < t { discardedRejected += 1 }; k += 1 }
            let kept = m - c
            fnmrAt[f].append(kept > 0 ? Double(rejectedTotal - discardedRejected) / Double(kept) : .nan)
        }
    }
    let fractions = reachable.map { Double($0) / Double(m) }
    func index(atMost r: Double) -> Int {
        var lo = 0, hi = fractions.count - 1
        while lo < hi { let mid = (lo + hi + 1) / 2; if fractions[mid] <= r { lo = mid } else { hi = mid - 1 } }
        return lo
    }
    let at = portions.map(index(atMost:))
    let fnmr = fnmrAt.map { row in at.map { row[$0] } }
    let pauc = fnmrAt.map { row -> Double in
        var area = 0.0
        for j in fractions.indices where fractions[j] < paucLimit {
            let next = j + 1 < fractions.count ? min(fractions[j + 1], paucLimit) : paucLimit
            area += (next - fractions[j]) * row[j]
        }
        return area
    }
    return EDCurve(fars: fars, thresholds: thresholds, startError: points.map { 1 - $0.tar }, portions: portions,
                   discarded: at.map { fractions[$0] }, fnmr: fnmr, pauc: pauc, paucLimit: paucLimit)
}

/// Per-image quality from a strategy's values: the value itself in confidence mode, its
/// negation in uncertainty mode; a vector value is first reduced to its harmonic mean.
public func imageQuality(_ uncertainty: RowMatrix, mode: UncertaintyMode) -> [Float] {
    let k = uncertainty.columns
    return (0..<uncertainty.rows).map { r in
        var v: Double
        if k == 1 { v = Double(uncertainty.values[r]) } else {
            var inv = 0.0
            for j in 0..<k { inv += 1 / Double(uncertainty.values[r * k + j]) }
            v = Double(k) / inv
        }
        return Float(mode == .confidence ? v : -v)
    }
}

/// `min(q[left], q[right])` for every pair.
public func pairQuality(_ quality: [Float], pairs: PairIndex) -> [Float] {
    zip(pairs.left, pairs.right).map { Swift.min(quality[Int($0)], quality[Int($1)]) }
}
