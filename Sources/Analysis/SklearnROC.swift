import Foundation

/// InsightFace's operating points (docs/metrics.md, "FAR rules: reference and insightface"),
/// computed in one pass over the pairs in descending score order:
/// 1. sklearn's `_binary_clf_curve`: one ROC point per distinct score `s`, with `fp`, `tp` the
///    pairs with `score >= s` (tied scores form one point);
/// 2. `roc_curve(drop_intermediate=True)`: when there are more than 2 points, a point other
///    than the first and the last is dropped when the step into it equals the step out of it
///    in both `fp` and `tp` (numpy's `diff(_, 2) == 0`, on the undropped sequence); then
///    `(0, 0)` with threshold `inf` is prepended;
/// 3. `eval_ijbc.py`: for each FAR the point minimising `abs(fp / negatives - FAR)`, ties to
///    the smallest index of the flipped arrays, i.e. the last such point in threshold-descending
///    order. Its `tp / positives` is the TAR, `fp / negatives` the FAR.
/// The `inf` threshold is reported as `Double(max score) + 1` (finite, accepts nothing).
/// Cost: O(pairs + points x FARs), no allocation beyond the F results. Pairs are added
/// with `add` in descending score order (ties in any order) until `done` or the last, then
/// `finish` gives the points; stopping at `done` reads only the pairs down to a little past
/// the largest FAR.
struct SklearnROCWalk {
    let fars: [Double]
    let negatives: Int, positives: Int
    // current tie group
    private var groupScore: Float = 0
    private var fp = 0, tp = 0
    private var started = false
    // the last two undropped-sequence points (for the drop test) and the point count
    private var prev = (fp: 0, tp: 0), cur = (fp: 0, tp: 0, score: Float(0))
    private var points = 0
    private let maxFAR: Double
    /// Set once no later point can be chosen: a point with FPR at or above every target was
    /// farther than the chosen ones from all of them (distances only grow from there on).
    private(set) var done = false
    // the selection per FAR: best distance and its point
    private var best: [(d: Double, fp: Int, tp: Int, threshold: Double)]

    private var topScore: Float = 0

    /// `negatives` and `positives` are the counts of the pairs that will be added.
    init(fars: [Double], negatives: Int, positives: Int) {
        self.fars = fars
        self.negatives = negatives
        self.positives = positives
        maxFAR = fars.max() ?? 0
        // the prepended (0, 0) point, index 0 of the unflipped arrays (threshold set by finish)
        best = fars.map { (abs(0 / Double(negatives) - $0), 0, 0, .nan) }
    }

    /// The next pair in descending score order.
    @inline(__always)
    mutating func add(score: Float, positive: Bool) {
        if started { if score != groupScore { closeGroup() } } else { started = true; topScore = score }
        groupScore = score
        if positive { tp += 1 } else { fp += 1 }
    }

    /// A distinct-score point of `_binary_clf_curve`: decides whether the previous one stays.
    private mutating func closeGroup() {
        if points >= 2 {
            let middleKept = (cur.fp - prev.fp) != (fp - cur.fp) || (cur.tp - prev.tp) != (tp - cur.tp)
            if middleKept { offer(cur.fp, cur.tp, cur.score) }
        } else if points == 1 {
            offer(cur.fp, cur.tp, cur.score)   // the first point is always kept
        }
        prev = (cur.fp, cur.tp)
        cur = (fp, tp, groupScore)
        points += 1
    }

    /// A point of the final ROC, in unflipped order: a later point wins ties (`<=`).
    @inline(__always)
    private mutating func offer(_ fp: Int, _ tp: Int, _ score: Float) {
        let fpr = Double(fp) / Double(negatives)
        var farther = fpr >= maxFAR
        for f in fars.indices {
            let d = abs(fpr - fars[f])
            if d <= best[f].d { best[f] = (d, fp, tp, Double(score)); farther = false }
        }
        if farther { done = true }
    }

    /// The operating points; `tar` is NaN without positives, everything NaN without negatives.
    mutating func finish() -> [OperatingPoint] {
        guard started, negatives > 0 else { return fars.map { _ in .undefined } }
        closeGroup()
        offer(cur.fp, cur.tp, cur.score)        // the last point is always kept
        // only the prepended point has fp = tp = 0: sklearn's `inf`, reported as max score + 1
        let above = Double(topScore) + 1
        return best.map {
            OperatingPoint(tar: positives > 0 ? Double($0.tp) / Double(positives) : .nan,
                           far: Double($0.fp) / Double(negatives),
                           threshold: $0.fp == 0 && $0.tp == 0 ? above : $0.threshold)
        }
    }
}

extension ScoreRanks {
    /// Every pair in descending score order, merging the descending negatives and positives
    /// (tied scores in either order): `body(score, positive, rank within its label)`. O(N).
    @inline(__always)
    func forEachDescending(_ body: (Float, Bool, Int) -> Void) {
        let neg = negSorted, pos = posSorted
        var i = 0, j = 0
        while i < neg.count || j < pos.count {
            if j == pos.count || (i < neg.count && neg[i] >= pos[j]) {
                body(neg[i], false, i); i += 1
            } else {
                body(pos[j], true, j); j += 1
            }
        }
    }

    /// The InsightFace rule over all pairs (tied scores form one point). O(N + points x FARs).
    func insightFaceOperatingPoints(fars: [Double]) -> [OperatingPoint] {
        var walk = SklearnROCWalk(fars: fars, negatives: negSorted.count, positives: posSorted.count)
        forEachDescending { score, positive, _ in walk.add(score: score, positive: positive) }
        return walk.finish()
    }
}
