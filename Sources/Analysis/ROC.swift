import Foundation

/// One point of a ROC read at a requested false-accept rate (docs/metrics.md, "TAR@FAR").
/// Undefined values are NaN: `tar` when there is no positive pair, everything when there is
/// no negative pair.
public struct OperatingPoint: Equatable, Sendable {
    public var tar: Double
    /// The FAR actually reached at `threshold`; ties can make it differ from the request.
    public var far: Double
    /// Pairs with `Double(score) >= threshold` are accepted. It is a float32 score value, or
    /// `Double(top negative) + 1e-8` (computed in Double) when `k == 0`.
    public var threshold: Double

    public init(tar: Double, far: Double, threshold: Double) {
        self.tar = tar
        self.far = far
        self.threshold = threshold
    }

    static let undefined = OperatingPoint(tar: .nan, far: .nan, threshold: .nan)
}

/// numpy's `round` (half to even) of a non-negative value, as the reference uses for `k`.
@inlinable
public func roundHalfToEven(_ x: Double) -> Int {
    Int(x.rounded(.toNearestOrEven))
}

/// The reference threshold rule: `k = round(negatives * far)`, threshold `neg[k-1]` of the
/// negatives sorted descending, or `neg[0] + 1e-8` when `k == 0`. `topNegative(j)` returns the
/// j-th largest negative score.
@inline(__always)
func referenceThreshold(negatives: Int, far: Double, topNegative: (Int) -> Float) -> (k: Int, threshold: Double) {
    let k = roundHalfToEven(Double(negatives) * far)
    if k == 0 { return (0, Double(topNegative(0)) + 1e-8) }
    return (k, Double(topNegative(k - 1)))
}

/// Checks the requested FARs are in (0, 1].
public func validateFARs(_ fars: [Double]) throws {
    guard !fars.isEmpty else { throw AnalysisError.invalidArgument("no FAR given") }
    for f in fars where !(f > 0 && f <= 1) {
        throw AnalysisError.invalidArgument("FAR \(f) is not in (0, 1]")
    }
}

/// Rejects a FAR below `1 / negatives` of the whole pair set: fewer than one impostor pair
/// would be accepted, so the point measures nothing. (Inside a reject curve, kept sets whose
/// `k` rounds to 0 follow the reference's `k == 0` rule instead.)
public func requireResolvableFARs(_ fars: [Double], negatives: Int) throws {
    for f in fars where f < 1.0 / Double(negatives) {
        throw AnalysisError.farTooSmall(far: f, negatives: negatives)
    }
}

/// Throws `notFinite` naming the first NaN value.
public func requireNoNaN(_ values: [Float], what: String) throws {
    if let i = values.firstIndex(where: { $0.isNaN }) {
        throw AnalysisError.notFinite(what: what, index: i)
    }
}

/// TAR, real FAR and threshold at every requested FAR over all pairs (section 6, or the
/// InsightFace rule: docs/metrics.md, "FAR rules: reference and insightface"). Scores may
/// not be NaN; there must be at least one positive and one negative pair.
public func tarAtFAR(scores: [Float], labels: [Bool], fars: [Double],
                     rule: FARRule = .reference) throws -> [OperatingPoint] {
    guard scores.count == labels.count else {
        throw AnalysisError.shapeMismatch("\(scores.count) scores but \(labels.count) labels")
    }
    try validateFARs(fars)
    try requireNoNaN(scores, what: "score")
    var neg = [Float](), pos = [Float]()
    for (s, y) in zip(scores, labels) { if y { pos.append(s) } else { neg.append(s) } }
    guard !pos.isEmpty else { throw AnalysisError.noPositives(context: "the pair set") }
    guard !neg.isEmpty else { throw AnalysisError.noNegatives(context: "the pair set") }
    if rule == .insightface { return ScoreRanks(scores: scores, labels: labels).insightFaceOperatingPoints(fars: fars) }
    neg.sort(by: >)
    return fars.map { far in
        let (_, t) = referenceThreshold(negatives: neg.count, far: far) { neg[$0] }
        let acceptedPos = pos.reduce(0) { $0 + (Double($1) >= t ? 1 : 0) }
        let acceptedNeg = neg.reduce(0) { $0 + (Double($1) >= t ? 1 : 0) }
        return OperatingPoint(tar: Double(acceptedPos) / Double(pos.count),
                              far: Double(acceptedNeg) / Double(neg.count), threshold: t)
    }
}
