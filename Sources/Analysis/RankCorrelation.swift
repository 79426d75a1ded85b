/// Spearman's rank correlation: Pearson's correlation of the two samples' ranks, tied values
/// sharing their average rank (as `scipy.stats.spearmanr`). Returns nil when there are fewer
/// than two values or either sample is constant (the correlation is undefined then).
public func spearmanCorrelation(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "spearman: samples of different sizes")
    guard x.count >= 2 else { return nil }
    return pearsonCorrelation(averageRanks(x), averageRanks(y))
}

/// Pearson's correlation coefficient; nil when either sample has zero variance.
public func pearsonCorrelation(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count)
    let n = Double(x.count)
    guard n >= 2 else { return nil }
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in x.indices {
        let a = x[i] - mx, b = y[i] - my
        sxy += a * b; sxx += a * a; syy += b * b
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
}

/// 1-based ranks in ascending order; a run of equal values gets the mean of its ranks.
public func averageRanks(_ v: [Double]) -> [Double] {
    let order = v.indices.sorted { v[$0] < v[$1] || (v[$0] == v[$1] && $0 < $1) }
    var ranks = [Double](repeating: 0, count: v.count)
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
        let r = Double(i + j) / 2 + 1
        for k in i...j { ranks[order[k]] = r }
        i = j + 1
    }
    return ranks
}
