import Foundation

/// LFW's 10-fold verification accuracy as the reference computes it (docs/metrics.md,
/// "LFW 10-fold accuracy"; `accuracy_lfw_6000_pairs`): fold `i` is the pairs
/// `[i n / 10, (i + 1) n / 10)` in file order (integer division; the official file's 10 sets of
/// 600 for n = 6000), thresholds `numpy.arange(-1.0, 1.0, 0.005)` (400 values), a pair is
/// predicted "same" iff `score > t`, the threshold of a fold is the **last** one reaching the
/// best accuracy on the other nine folds, and the fold's accuracy is read with it on its own
/// pairs. `mean` and `std` (population, numpy's `np.std`) of the 10 fold accuracies.
public struct TenFoldAccuracy: Sendable, Equatable {
    public var foldAccuracy: [Double]
    public var threshold: [Double]
    public var mean: Double
    public var std: Double
}

/// The reference's cosine threshold grid.
public let lfwThresholds: [Double] = numpyArange(-1.0, 1.0, 0.005)

/// Scores are compared as float64 values of the float32 scores (the reference writes the
/// float32 score as a Python float and parses it back). Needs at least `folds` pairs.
public func tenFoldAccuracy(scores: [Float], labels: [Bool], folds: Int = 10,
                            thresholds: [Double] = lfwThresholds) throws -> TenFoldAccuracy {
    let n = scores.count
    guard labels.count == n else { throw AnalysisError.shapeMismatch("\(n) scores but \(labels.count) labels") }
    guard folds >= 2, n >= folds else {
        throw AnalysisError.invalidArgument("10-fold accuracy needs at least \(folds) pairs, found \(n)")
    }
    try requireNoNaN(scores, what: "score")
    let s = scores.map(Double.init)
    // correct[t][i]: pair i is classified right at threshold t, kept as per-fold counts
    var correctPerFold = [[Int]](repeating: [Int](repeating: 0, count: folds), count: thresholds.count)
    let bounds = (0...folds).map { $0 * n / folds }
    for f in 0..<folds {
        for i in bounds[f]..<bounds[f + 1] {
            for (t, threshold) in thresholds.enumerated() where (s[i] > threshold) == labels[i] {
                correctPerFold[t][f] += 1
            }
        }
    }
    var accuracy: [Double] = [], chosen: [Double] = []
    for f in 0..<folds {
        let testCount = bounds[f + 1] - bounds[f], trainCount = n - testCount
        var best = 0.0, bestThreshold = 0.0
        for (t, threshold) in thresholds.enumerated() {
            let correct = correctPerFold[t].reduce(0, +) - correctPerFold[t][f]
            let acc = 1.0 * Double(correct) / Double(trainCount)
            if acc >= best { best = acc; bestThreshold = threshold }
        }
        // the chosen threshold's test accuracy (computed afresh: the threshold may be the
        // initial 0 when no grid value is chosen, as in the reference)
        var correct = 0
        for i in bounds[f]..<bounds[f + 1] where (s[i] > bestThreshold) == labels[i] { correct += 1 }
        accuracy.append(1.0 * Double(correct) / Double(testCount))
        chosen.append(bestThreshold)
    }
    let mean = numpyPairwiseSum(accuracy) / Double(folds)
    let std = (numpyPairwiseSum(accuracy.map { ($0 - mean) * ($0 - mean) }) / Double(folds)).squareRoot()
    return TenFoldAccuracy(foldAccuracy: accuracy, threshold: chosen, mean: mean, std: std)
}

/// numpy's pairwise summation of float64 values (`np.sum`, `np.mean`): below 8 values a plain
/// loop, up to 128 eight interleaved partial sums combined as
/// `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))` plus the remainder, above that the two
/// halves (split at a multiple of 8) summed recursively.
public func numpyPairwiseSum(_ a: [Double]) -> Double {
    a.withUnsafeBufferPointer { pairwiseSum($0, 0, $0.count) }
}

private func pairwiseSum(_ a: UnsafeBufferPointer<Double>, _ start: Int, _ n: Int) -> Double {
    if n < 8 {
        var res = 0.0
        for i in 0..<n { res += a[start + i] }
        return res
    }
    if n <= 128 {
        var r = (0..<8).map { a[start + $0] }
        var i = 8
        while i < n - (n % 8) {
            for j in 0..<8 { r[j] += a[start + i + j] }
            i += 8
        }
        var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n { res += a[start + i]; i += 1 }
        return res
    }
    var n2 = n / 2
    n2 -= n2 % 8
    return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2)
}
