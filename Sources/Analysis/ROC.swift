import Foundation

/// One point of a ROC read at a requested false-accept rate (docs/metrics.md, "TAR@FAR").
/// Undefined values are NaN: `tar` when there is no positive pair, everything when there is
/// no negative pair.
public struct OperatingPoint: Equatable, Sendable {
    public var tar: Double
    /// The FAR actually reached at `threshold`; ties can make it differ from the request.
    public var far: Double
    /// Pairs with `Double(score) >= threshold` are accepted. It is a float32 value: a score,
    /// or `top negative + 1e-8` rounded to float32 when `k == 0` (as the reference compares).
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

/// The reference threshold rule (docs/metrics.md, "TAR@FAR"): `k = round(negatives * far)`
/// (half to even), threshold `neg[k-1]` of the negatives sorted descending, or `neg[0] + 1e-8`
/// when `k == 0`. The reference adds and compares in float32 (numpy's casting of the float64
/// `1e-8` against a float32 array), so the sum is rounded to float32: for `|neg[0]| >= 0.25`
/// it is `neg[0]` itself and the top impostors are accepted. `topNegative(j)` returns the j-th
/// largest negative score.
@inline(__always)
func referenceThreshold(negatives: Int, far: Double, topNegative: (Int) -> Float) -> (k: Int, threshold: Double) {
    let k = roundHalfToEven(Double(negatives) * far)
    if k == 0 { return (0, Double(zeroKThreshold(topNegative(0)))) }
    return (k, Double(topNegative(k - 1)))
}

/// The `k == 0` threshold `neg[0] + 1e-8` in float32, as numpy computes it.
@inlinable
public func zeroKThreshold(_ topNegative: Float) -> Float {
    Float(Double(topNegative) + 1e-8)
}

/// Checks the requested FARs are in (0, 1].
public func validateFARs(_ fars: [Double]) throws {
    guard !fars.isEmpty else { throw AnalysisError.invalidArgument("no FAR given") }
    for f in fars where !(f > 0 && f <= 1) {
        throw AnalysisError.invalidArgument("FAR \(f) is not in (0, 1]")
    }
}

/// The FARs below `1 / negatives`: fewer than one impostor pair stands behind them, so their
/// points say little. The reference computes them anyway (its `k` rule, or the `k == 0` rule
/// when `negatives * far < 0.5`) and so does scaleface; callers warn once per FAR.
public func underResolvedFARs(_ fars: [Double], negatives: Int) -> [Double] {
    fars.filter { Double(negatives) * $0 < 1 }
}

/// The one-line warning for a FAR from `underResolvedFARs`.
public func underResolvedFARWarning(_ far: Double, negatives: Int) -> String {
    let k = roundHalfToEven(Double(negatives) * far)
    return "warning: FAR \(far) is below 1/negatives (1/\(negatives)): fewer than one impostor pair stands behind it; "
        + (k == 0 ? "computed with the reference's k = 0 rule (threshold = top impostor score + 1e-8 in float32)"
                  : "computed with k = round(\(negatives) x \(far)) = \(k)")
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
    if rule == .cross { return try ScoreRanks(scores: scores, labels: labels).operatingPoints(fars: fars, rule: .cross) }
    neg.sort(by: >)
    return fars.map { far in
        let (_, t) = referenceThreshold(negatives: neg.count, far: far) { neg[$0] }
        let acceptedPos = pos.reduce(0) { $0 + (Double($1) >= t ? 1 : 0) }
        let acceptedNeg = neg.reduce(0) { $0 + (Double($1) >= t ? 1 : 0) }
        return OperatingPoint(tar: Double(acceptedPos) / Double(pos.count),
                              far: Double(acceptedNeg) / Double(neg.count), threshold: t)
    }
}
