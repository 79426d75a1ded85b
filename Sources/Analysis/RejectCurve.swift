import Core
import Foundation

/// The order in which pairs are kept (docs/metrics.md, "Reject curves", "Tie order"): an
/// ascending sort by pair uncertainty (numpy's argsort by default, `tieOrder` `stable` for the
/// index order among ties); in `confidence` mode the exact reverse of that order, as reversing
/// numpy's argsort does.
public func keepOrder(_ pairUncertainty: [Float], mode: UncertaintyMode, tieOrder: TieOrder = .reference) -> [Int32] {
    var order = tieOrder == .stable ? stableArgsort(pairUncertainty) : numpyArgsort(pairUncertainty)
    if mode == .confidence { order.reverse() }
    return order
}

/// `floor(N * (1 - r))`, the number of pairs kept at rejected portion `r` (the reference's
/// `int(N * (1.0 - r))` in float64). Under the cross rule, `N - floor(r * N)` (cross.py drops
/// `int(split * N)` pairs; the two can differ by one, e.g. N = 100, r = 0.075 gives 92 and 93).
public func keptCount(pairs n: Int, portion r: Double, rule: FARRule = .reference) -> Int {
    if rule == .cross { return n - Int((r * Double(n)).rounded(.down)) }
    return Int((Double(n) * (1 - r)).rounded(.down))
}

/// TAR at every FAR as the most uncertain pairs are rejected, with the real FAR and threshold
/// of every point and the trapezoid AUC of TAR over the portions for every FAR.
/// Arrays are indexed `[far][portion]`, matching results.json.
public struct RejectCurve: Sendable, Equatable {
    public var fars: [Double]
    public var portions: [Double]
    public var kept: [Int]
    public var tar: [[Double]]
    public var far: [[Double]]
    public var threshold: [[Double]]
    /// NaN when any point of the curve is undefined (a kept set without positives/negatives).
    public var auc: [Double]

    public init(fars: [Double], portions: [Double], kept: [Int], tar: [[Double]], far: [[Double]],
                threshold: [[Double]], auc: [Double]) {
        self.fars = fars
        self.portions = portions
        self.kept = kept
        self.tar = tar
        self.far = far
        self.threshold = threshold
        self.auc = auc
    }
}

/// Per-label score ranks of one pair set: negatives and positives each sorted by descending
/// score, and for every pair its rank within its own label (`code[i] = rank` for a negative,
/// `-(rank + 1)` for a positive, so the keep loop reads one array). Built once per score and
/// shared by every metric and by plain TAR@FAR over the same scores.
public struct ScoreRanks: Sendable {
    public private(set) var negSorted: [Float] = []
    public private(set) var posSorted: [Float] = []
    var code: [Int32]

    /// Scores must not be NaN (checked by the callers).
    public init(scores: [Float], labels: [Bool]) {
        let n = scores.count
        // the label travels in the payload's top bit, the score is recovered from its key, so
        // the only random access left is the write of each pair's code
        let tagged = [Int32](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = Int32(i) | (labels[i] ? Int32.min : 0) }
            c = n
        }
        let sorted = radixSort(scores, payload: tagged, descending: true)
        var code = [Int32](repeating: 0, count: n)
        var neg = [Float](), pos = [Float]()
        neg.reserveCapacity(n)
        sorted.keys.withUnsafeBufferPointer { keys in
            sorted.payload.withUnsafeBufferPointer { order in
                code.withUnsafeMutableBufferPointer { c in
                    for j in 0..<n {
                        let p = order[j]
                        let score = floatFromKey(~keys[j])
                        if p < 0 {
                            c[Int(p & Int32.max)] = -Int32(pos.count) - 1; pos.append(score)
                        } else {
                            c[Int(p)] = Int32(neg.count); neg.append(score)
                        }
                    }
                }
            }
        }
        negSorted = neg
        posSorted = pos
        self.code = code
    }

    public var count: Int { code.count }

    /// Number of values `> t` in a descending array.
    static func countAbove(_ sorted: [Float], _ t: Double) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Double(sorted[mid]) > t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Number of values `>= t` in a descending array.
    static func countAtLeast(_ sorted: [Float], _ t: Double) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Double(sorted[mid]) >= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Section 6 over all pairs in O(F log N): the same numbers as `tarAtFAR`. The
    /// `insightface` rule (docs/metrics.md, "FAR rules") costs O(N + points x F).
    public func operatingPoints(fars: [Double], rule: FARRule = .reference) throws -> [OperatingPoint] {
        try validateFARs(fars)
        guard !posSorted.isEmpty else { throw AnalysisError.noPositives(context: "the pair set") }
        guard !negSorted.isEmpty else { throw AnalysisError.noNegatives(context: "the pair set") }
        if rule == .insightface { return insightFaceOperatingPoints(fars: fars) }
        if rule == .cross { return fars.map { crossPoint(far: $0, negatives: negSorted.count, positivesAbove: { Self.countAbove(posSorted, $0) }, negativesAbove: { Self.countAbove(negSorted, $0) }, topNegative: { negSorted[$0] }, positives: posSorted.count) } }
        return fars.map { far in
            let (_, t) = referenceThreshold(negatives: negSorted.count, far: far) { negSorted[$0] }
            let acceptedNeg = Self.countAtLeast(negSorted, t)
            return OperatingPoint(tar: Double(Self.countAtLeast(posSorted, t)) / Double(posSorted.count),
                                  far: Double(acceptedNeg) / Double(negSorted.count), threshold: t)
        }
    }
}

/// Inserts the rank codes `codes[inserted..<count]` (keep order) into the kept negatives and
/// positives.
func insertKept(_ codes: [Int32], inserted: inout Int, upTo count: Int,
                negatives: inout RankCounter, positives: inout RankCounter) {
    codes.withUnsafeBufferPointer { code in
        while inserted < count {
            let c = Int(code[inserted])
            if c < 0 { positives.insert(-c - 1) } else { negatives.insert(c) }
            inserted += 1
        }
    }
}

/// Reject verification over one pair set in O(N log N) total: one sort by uncertainty, one
/// sort by score, then the kept pairs are inserted in keep order into two rank counters
/// (negatives, positives) and every portion is read off with order-statistics queries.
/// `rule` `insightface` reads every portion with InsightFace's rule instead (docs/metrics.md,
/// "FAR rules: reference and insightface"), O(kept) per portion.
public func rejectCurve(scores: [Float], pairUncertainty: [Float], labels: [Bool], mode: UncertaintyMode,
                        fars: [Double], portions: [Double], rule: FARRule = .reference,
                        tieOrder: TieOrder = .reference) throws -> RejectCurve {
    guard pairUncertainty.count == scores.count, labels.count == scores.count else {
        throw AnalysisError.shapeMismatch(
            "\(scores.count) scores, \(pairUncertainty.count) pair uncertainties, \(labels.count) labels")
    }
    try requireNoNaN(scores, what: "score")
    return try rejectCurve(ranks: ScoreRanks(scores: scores, labels: labels), pairUncertainty: pairUncertainty,
                           mode: mode, fars: fars, portions: portions, rule: rule, tieOrder: tieOrder)
}

/// The same from precomputed score ranks (shared between metrics with the same score).
public func rejectCurve(ranks: ScoreRanks, pairUncertainty: [Float], mode: UncertaintyMode,
                        fars: [Double], portions: [Double], rule: FARRule = .reference,
                        tieOrder: TieOrder = .reference) throws -> RejectCurve {
    try requireNoNaN(pairUncertainty, what: "pair uncertainty")
    return try rejectCurveOrdered(ranks: ranks, values: pairUncertainty, mode: mode, fars: fars, portions: portions,
                                  rule: rule, tieOrder: tieOrder)
}

/// The same with float64 pair confidences or uncertainties (cross.py sums two Python floats:
/// docs/metrics.md, "Cross rule"); ties are then those of the float64 values.
public func rejectCurve(ranks: ScoreRanks, pairUncertainty: [Double], mode: UncertaintyMode,
                        fars: [Double], portions: [Double], rule: FARRule = .reference,
                        tieOrder: TieOrder = .reference) throws -> RejectCurve {
    if let i = pairUncertainty.firstIndex(where: { $0.isNaN }) {
        throw AnalysisError.notFinite(what: "pair uncertainty", index: i)
    }
    return try rejectCurveOrdered(ranks: ranks, values: pairUncertainty, mode: mode, fars: fars, portions: portions,
                                  rule: rule, tieOrder: tieOrder)
}

/// The rank codes in ascending order of `values`, ties in `tieOrder`.
func sortCodes<T: BinaryFloatingPoint>(_ values: [T], codes: [Int32], tieOrder: TieOrder) -> [Int32] {
    if let f = values as? [Float], tieOrder == .stable { return stableSortPayload(f, payload: codes) }
    let order: [Int32]
    if tieOrder == .reference {
        order = numpyArgsort(values)
    } else {
        order = (0..<Int32(values.count)).sorted { values[Int($0)] < values[Int($1)] || (values[Int($0)] == values[Int($1)] && $0 < $1) }
    }
    return order.map { codes[Int($0)] }
}

func rejectCurveOrdered<T: BinaryFloatingPoint>(ranks: ScoreRanks, values: [T], mode: UncertaintyMode,
                                                fars: [Double], portions: [Double], rule: FARRule,
                                                tieOrder: TieOrder) throws -> RejectCurve {
    let n = ranks.count
    guard values.count == n else {
        throw AnalysisError.shapeMismatch("\(n) scores but \(values.count) pair uncertainties")
    }
    try validateFARs(fars)
    guard !ranks.posSorted.isEmpty else { throw AnalysisError.noPositives(context: "the pair set") }
    guard !ranks.negSorted.isEmpty else { throw AnalysisError.noNegatives(context: "the pair set") }

    // the pairs' rank codes in keep order (confidence: the reversed ascending order)
    var codesInOrder = sortCodes(values, codes: ranks.code, tieOrder: tieOrder)
    if mode == .confidence { codesInOrder.reverse() }
    if rule == .insightface {
        return insightFaceRejectCurve(ranks: ranks, codesInOrder: codesInOrder, fars: fars, portions: portions)
    }
    var negKept = RankCounter(capacity: ranks.negSorted.count)
    var posKept = RankCounter(capacity: ranks.posSorted.count)

    let kept = portions.map { keptCount(pairs: n, portion: $0, rule: rule) }
    var tar = [[Double]](repeating: [Double](repeating: .nan, count: portions.count), count: fars.count)
    var far = tar, threshold = tar

    var inserted = 0
    for p in kept.indices.sorted(by: { kept[$0] < kept[$1] }) {
        insertKept(codesInOrder, inserted: &inserted, upTo: kept[p], negatives: &negKept, positives: &posKept)
        let nNeg = negKept.count, nPos = posKept.count
        guard nNeg > 0 else { continue }
        for (f, requested) in fars.enumerated() {
            let point: OperatingPoint
            if rule == .cross {
                point = crossPoint(far: requested, negatives: nNeg,
                                   positivesAbove: { posKept.countBelow(ScoreRanks.countAbove(ranks.posSorted, $0)) },
                                   negativesAbove: { negKept.countBelow(ScoreRanks.countAbove(ranks.negSorted, $0)) },
                                   topNegative: { ranks.negSorted[negKept.member(withRank: $0)] }, positives: nPos)
            } else {
                let (_, t) = referenceThreshold(negatives: nNeg, far: requested) {
                    ranks.negSorted[negKept.member(withRank: $0)]
                }
                let acceptedNeg = negKept.countBelow(ScoreRanks.countAtLeast(ranks.negSorted, t))
                let acceptedPos = posKept.countBelow(ScoreRanks.countAtLeast(ranks.posSorted, t))
                point = OperatingPoint(tar: nPos > 0 ? Double(acceptedPos) / Double(nPos) : .nan,
                                       far: Double(acceptedNeg) / Double(nNeg), threshold: t)
            }
            tar[f][p] = point.tar
            far[f][p] = point.far
            threshold[f][p] = point.threshold
        }
    }
    let auc = tar.map { rule == .cross ? normalisedAUC($0, portions) : trapezoid($0, portions) }
    return RejectCurve(fars: fars, portions: portions, kept: kept, tar: tar, far: far,
                       threshold: threshold, auc: auc)
}
