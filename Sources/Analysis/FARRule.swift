import Foundation

/// How a TAR@FAR operating point is found (docs/metrics.md, "FAR rules: reference and
/// insightface").
/// - `reference`: negatives sorted descending, `k = round_half_even(negatives * FAR)`,
///   threshold `neg[k-1]` (or `neg[0] + 1e-8` when `k == 0`), section 6.
/// - `cross`: the reference's CPLFW / CALFW script (`cross.py`): `k = floor(negatives * FAR)`,
///   threshold `neg[k]`, TAR counts positives strictly above it; reject curves drop
///   `floor(portion * N)` pairs and their AUC is divided by the largest portion
///   (docs/metrics.md, "Cross rule").
/// - `insightface`: InsightFace's `eval_ijbc.py`: the point of sklearn's
///   `roc_curve(drop_intermediate=True)` whose FPR is nearest the requested FAR (ties: the
///   lowest threshold), reporting that point's TPR, FPR and threshold. The point sklearn gives
///   threshold `inf` is reported with threshold `Double(max score) + 1`.
public enum FARRule: String, CaseIterable, Sendable {
    case reference, insightface, cross
}
