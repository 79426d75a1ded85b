import Foundation

/// The reject curve under the InsightFace rule (docs/metrics.md, "FAR rules: reference and
/// insightface"): every portion's kept pairs go through sklearn's ROC and eval_ijbc.py's
/// nearest-FPR choice (`SklearnROCWalk`). As for the reference rule, pairs are inserted in keep
/// order into two rank counters (negatives, positives); at each portion the kept pairs are
/// read in descending score order by scanning both counters from rank 0 and merging, until
/// the walk is `done` (just past the largest FAR). Cost per portion: O(kept pairs read +
/// score ranks passed / 64 + points x FARs), at most O(kept); about `maxFAR x kept negatives`
/// plus the positives above them when the largest FAR is small.
func insightFaceRejectCurve(ranks: ScoreRanks, codesInOrder: [Int32], fars: [Double], portions: [Double]) -> RejectCurve {
    let neg = ranks.negSorted, pos = ranks.posSorted
    var negKept = RankCounter(capacity: neg.count)
    var posKept = RankCounter(capacity: pos.count)
    let kept = portions.map { keptCount(pairs: codesInOrder.count, portion: $0) }
    var tar = [[Double]](repeating: [Double](repeating: .nan, count: portions.count), count: fars.count)
    var far = tar, threshold = tar
    var inserted = 0
    for p in kept.indices.sorted(by: { kept[$0] < kept[$1] }) {
        insertKept(codesInOrder, inserted: &inserted, upTo: kept[p], negatives: &negKept, positives: &posKept)
        guard negKept.count > 0 else { continue }
        var walk = SklearnROCWalk(fars: fars, negatives: negKept.count, positives: posKept.count)
        var i = negKept.firstMember(atLeast: 0), j = posKept.firstMember(atLeast: 0)
        while (i < neg.count || j < pos.count) && !walk.done {
            if j >= pos.count || (i < neg.count && neg[i] >= pos[j]) {
                walk.add(score: neg[i], positive: false); i = negKept.firstMember(atLeast: i + 1)
            } else {
                walk.add(score: pos[j], positive: true); j = posKept.firstMember(atLeast: j + 1)
            }
        }
        for (f, point) in walk.finish().enumerated() {
            tar[f][p] = point.tar; far[f][p] = point.far; threshold[f][p] = point.threshold
        }
    }
    return RejectCurve(fars: fars, portions: portions, kept: kept, tar: tar, far: far, threshold: threshold,
                       auc: tar.map { trapezoid($0, portions) })
}
