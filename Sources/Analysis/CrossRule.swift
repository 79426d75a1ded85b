import Foundation

// The TAR rule and normalised AUC of the reference's CPLFW / CALFW script (docs/metrics.md,
// "Cross rule"; docs/protocols.md, "CPLFW and CALFW"). They differ from the reference rule of
// ROC.swift: floor instead of half-even rounding, one rank lower, strict `>`.

/// One cross-rule point: negatives sorted descending, `k = floor(negatives * far)`,
/// threshold `neg[k]` (the (k+1)-th largest impostor score), `TAR = #(positive > t) / positives`
/// and the achieved `FAR = #(negative > t) / negatives`. `k >= negatives` (FAR 1) has no
/// threshold (the reference raises IndexError): every value is NaN. No positive: TAR NaN.
/// The counts are callbacks so that a kept subset (RankCounter) and a whole set share it.
@inline(__always)
func crossPoint(far: Double, negatives: Int, positivesAbove: (Double) -> Int, negativesAbove: (Double) -> Int,
                topNegative: (Int) -> Float, positives: Int) -> OperatingPoint {
    let k = Int((Double(negatives) * far).rounded(.down))
    guard k < negatives else { return .undefined }
    let t = Double(topNegative(k))
    return OperatingPoint(tar: positives > 0 ? Double(positivesAbove(t)) / Double(positives) : .nan,
                          far: Double(negativesAbove(t)) / Double(negatives), threshold: t)
}

/// cross.py's AUC: `sklearn.metrics.auc(splits, tars) / max(splits)` (the trapezoid over the
/// rejected portions, divided by the largest portion, so that a flat curve at TAR t has AUC t).
/// NaN when any point is NaN; for a grid whose largest portion is 0, NaN.
public func normalisedAUC(_ y: [Double], _ x: [Double]) -> Double {
    guard let top = x.max(), top > 0 else { return .nan }
    return trapezoid(y, x) / top
}

/// numpy's `arange(start, stop, step)` for float64, value for value: length
/// `ceil((stop - start) / step)`, values `start + i * delta` with `delta = (start + step) - start`
/// (numpy fills from its first two values).
public func numpyArange(_ start: Double, _ stop: Double, _ step: Double) -> [Double] {
    let length = Int(((stop - start) / step).rounded(.up))
    guard length > 0 else { return [] }
    let delta = (start + step) - start
    return (0..<length).map { $0 == 1 ? start + step : start + Double($0) * delta }
}

/// cross.py's rejected portions `np.arange(0, 0.5, 0.025)`: 20 values, 0 ... 0.475.
public let crossSplits: [Double] = numpyArange(0, 0.5, 0.025)

/// cross.py's reported FARs.
public let crossFARs: [Double] = [0.1, 0.01, 0.005]
