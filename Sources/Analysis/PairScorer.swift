import Core
import Foundation

/// Computes pair scores (docs/metrics.md, "Pair scores") and pair uncertainties ("Pair uncertainties") for index
/// pairs into one embedding matrix, caching what several metrics share (normalised rows, the
/// cosine of every pair, per-image reductions of the uncertainty). Results are one Float per
/// pair; no per-pair copies of embeddings are made.
public final class PairScorer {
    public let embeddings: RowMatrix
    /// `[rows, k]` with `k == 1` or `k == embeddings.columns`; nil when no strategy is used.
    public let uncertainty: RowMatrix?
    public let pairs: PairIndex
    /// `b` of the `biased-cosine` family, measured on validation pairs (see `cosineBias`).
    public var bias: Double?
    /// Gives the `classifier` score and uncertainty (ClassifierPairValues.swift); nil: none.
    public var pairClassifier: PairClassifierFunction?
    var classified: ClassifierPairValues?

    public init(embeddings: RowMatrix, uncertainty: RowMatrix?, pairs: PairIndex, bias: Double? = nil) throws {
        if let u = uncertainty {
            guard u.rows == embeddings.rows else {
                throw AnalysisError.shapeMismatch(
                    "uncertainty has \(u.rows) rows but embeddings have \(embeddings.rows)")
            }
            guard u.columns == 1 || u.columns == embeddings.columns else {
                throw AnalysisError.shapeMismatch(
                    "uncertainty width \(u.columns) is neither 1 nor the embedding dimension \(embeddings.columns)")
            }
        }
        try pairs.validate(rows: embeddings.rows)
        self.embeddings = embeddings
        self.uncertainty = uncertainty
        self.pairs = pairs
        self.bias = bias
    }

    public private(set) lazy var normalized: RowMatrix = normalizedRows(embeddings)

    /// `<e1/(1e-8+||e1||), e2/(1e-8+||e2||)>` for every pair.
    public private(set) lazy var cosines: [Float] = blockedPairDots(normalized, pairs)

    /// Mean and population standard deviation (numpy's default) of the pair cosines.
    public private(set) lazy var cosineMoments: (mean: Double, std: Double) = {
        let c = cosines
        guard !c.isEmpty else { return (0, 0) }
        var s = 0.0
        for v in c { s += Double(v) }
        let m = s / Double(c.count)
        var ss = 0.0
        for v in c { let d = Double(v) - m; ss += d * d }
        return (m, (ss / Double(c.count)).squareRoot())
    }()

    struct ImageStats {
        var sum: [Double], prod: [Double], sumInv: [Double], sumInvSq: [Double]
        var k: Int
    }

    private lazy var stats: ImageStats? = {
        guard let u = uncertainty else { return nil }
        let k = u.columns
        var st = ImageStats(sum: .init(repeating: 0, count: u.rows), prod: .init(repeating: 1, count: u.rows),
                            sumInv: .init(repeating: 0, count: u.rows), sumInvSq: .init(repeating: 0, count: u.rows),
                            k: k)
        for r in 0..<u.rows {
            var s = 0.0, p = 1.0, si = 0.0, sq = 0.0
            for j in 0..<k {
                let v = Double(u.values[r * k + j])
                s += v; p *= v; si += 1 / v; sq += 1 / (v * v)
            }
            st.sum[r] = s; st.prod[r] = p; st.sumInv[r] = si; st.sumInvSq[r] = sq
        }
        return st
    }()

    private func requireUncertainty(_ what: String) throws -> (RowMatrix, ImageStats) {
        guard let u = uncertainty, let st = stats else {
            throw AnalysisError.invalidArgument("\(what) needs a per-image uncertainty (choose a strategy)")
        }
        return (u, st)
    }

    /// Maps every pair through `f(i)` in parallel.
    private func perPair(_ f: (Int) -> Double) -> [Float] {
        parallelFill(pairs.count) { range, out in
            for i in range { out[i] = Float(f(i)) }
        }
    }

    // MARK: scores

    public func scores(_ distance: PairDistance) throws -> [Float] {
        switch distance {
        case .cosine:
            return cosines
        case .euc:
            let e = embeddings, d = e.columns, l = pairs.left, r = pairs.right
            return e.values.withUnsafeBufferPointer { ep in
                perPair { i in
                    -Double(squaredDistance(ep.baseAddress! + Int(l[i]) * d, ep.baseAddress! + Int(r[i]) * d, d))
                }
            }
        case .centeredCosine, .biasedCosine:
            let c = cosines
            let (shift, scale) = try similarityTransform(distance == .centeredCosine ? .centeredCosine : .biasedCosine)
            return perPair { i in (Double(c[i]) - shift) / scale }
        case .mls:
            return try mls()
        case let .scaled(source, combination, base):
            return try scaled(source, combination, base)
        case .classifier:
            return try classifierValues("the classifier score").same
        }
    }

    /// `(shift, divisor)` turning a cosine into the base similarity.
    private func similarityTransform(_ base: BaseSimilarity) throws -> (Double, Double) {
        switch base {
        case .cosine: return (0, 1)
        case .centeredCosine: return (cosineMoments.mean, cosineMoments.std)
        case .biasedCosine:
            guard let b = bias else {
                throw AnalysisError.invalidArgument(
                    "biased-cosine needs the bias b (from validation pairs, or given)")
            }
            return (b, 1)
        }
    }

    private func scaled(_ source: ScaleSource, _ combination: ScaleCombination, _ base: BaseSimilarity) throws -> [Float] {
        let name = PairDistance.scaled(source, combination, base).description
        let (u, st) = try requireUncertainty(name)
        let factor: [Double]
        switch source {
        case .scale:
            guard u.columns == 1 else {
                throw AnalysisError.invalidArgument(
                    "\(name) needs a scalar uncertainty (k = 1) but the strategy has k = \(u.columns); use pfe-*")
            }
            factor = u.values.map(Double.init)
        case .pfe:
            // 1 / harmonic_mean(sigma^2) = mean(1 / sigma^2)
            factor = st.sumInv.map { $0 / Double(st.k) }
        }
        let (shift, scale) = try similarityTransform(base)
        let c = cosines, l = pairs.left, r = pairs.right
        return perPair { i in
            let u1 = factor[Int(l[i])], u2 = factor[Int(r[i])]
            let f: Double
            switch combination {
            case .mul: f = u1 * u2
            case .harmonic: f = u1 * u2 / (u1 + u2)
            case .sqrtMul: f = u1.squareRoot() * u2.squareRoot()
            case .sqrtHarmonic:
                let a = u1.squareRoot(), b = u2.squareRoot()
                f = a * b / (a + b)
            }
            return (Double(c[i]) - shift) / scale * f
        }
    }

    /// `-sum_j ((mu1 - mu2)^2 / S + log S)`, `S = u1 + u2`; a scalar `u` is broadcast over the
    /// dimensions as numpy does.
    private func mls() throws -> [Float] {
        let (u, _) = try requireUncertainty("MLS")
        let mu = normalized, d = mu.columns, k = u.columns, l = pairs.left, r = pairs.right
        return mu.values.withUnsafeBufferPointer { m in
            u.values.withUnsafeBufferPointer { up in
                perPair { i in
                    let a = Int(l[i]), b = Int(r[i])
                    if k == 1 {
                        let s = Double(up[a]) + Double(up[b])
                        let sq = Double(squaredDistance(m.baseAddress! + a * d, m.baseAddress! + b * d, d))
                        return -(sq / s + Double(d) * Foundation.log(s))
                    }
                    var acc = 0.0
                    for j in 0..<d {
                        let diff = Double(m[a * d + j]) - Double(m[b * d + j])
                        let s = Double(up[a * k + j]) + Double(up[b * k + j])
                        acc += diff * diff / s + Foundation.log(s)
                    }
                    return -acc
                }
            }
        }
    }

    // MARK: uncertainties

    public func uncertainties(_ kind: PairUncertainty) throws -> [Float] {
        let l = pairs.left, r = pairs.right
        switch kind {
        case .similarity:
            return cosines
        case .classifier:
            return try classifierValues("the classifier uncertainty").uncertainty
        case .perfect:
            let c = cosines, m = cosineMoments.mean, y = pairs.labels
            return perPair { i in (y[i] ? 1.0 : -1.0) * (Double(c[i]) - m) }
        case .cosineAnalytic, .cosineAnalyticNormalized:
            let (u, _) = try requireUncertainty(kind.rawValue)
            let e = kind == .cosineAnalytic ? embeddings : normalized, d = e.columns, k = u.columns
            return perPair { i in
                let a = Int(l[i]), b = Int(r[i])
                var acc = 0.0
                for j in 0..<d {
                    let u1 = Double(u.values[a * k + (k == 1 ? 0 : j)])
                    let u2 = Double(u.values[b * k + (k == 1 ? 0 : j)])
                    let e1 = Double(e.values[a * d + j]), e2 = Double(e.values[b * d + j])
                    acc += u1 * u2 + e1 * e1 * u2 + e2 * e2 * u1
                }
                return acc
            }
        default:
            let (_, st) = try requireUncertainty(kind.rawValue)
            let k = Double(st.k)
            return perPair { i in
                let a = Int(l[i]), b = Int(r[i])
                switch kind {
                case .mean: return st.sum[a] + st.sum[b]
                case .squaredSum: return st.sum[a] * st.sum[a] + st.sum[b] * st.sum[b]
                case .mul: return st.prod[a] * st.prod[b]
                case .harmonicSum: return k / st.sumInv[a] + k / st.sumInv[b]
                case .harmonicMul: return (k / st.sumInv[a]) * (k / st.sumInv[b])
                case .harmonicHarmonic: return 2 * k / (st.sumInv[a] + st.sumInv[b])
                case .squaredHarmonic: return 2 * k / (st.sumInvSq[a] + st.sumInvSq[b])
                case .min: return Swift.min(st.sum[a], st.sum[b])
                case .similarity, .perfect, .cosineAnalytic, .cosineAnalyticNormalized, .classifier: return .nan // handled above
                }
            }
        }
    }
}

/// `b = (mean(cos | positives) + mean(cos | negatives)) / 2` of a validation pair set, the bias
/// of the `biased-cosine` family.
public func cosineBias(cosines: [Float], labels: [Bool]) throws -> Double {
    var sp = 0.0, sn = 0.0, np = 0, nn = 0
    for (c, y) in zip(cosines, labels) {
        if y { sp += Double(c); np += 1 } else { sn += Double(c); nn += 1 }
    }
    guard np > 0 else { throw AnalysisError.noPositives(context: "the validation pairs") }
    guard nn > 0 else { throw AnalysisError.noNegatives(context: "the validation pairs") }
    return (sp / Double(np) + sn / Double(nn)) / 2
}

/// `dot(m[left[i]], m[right[i]])` for every pair. When the matrix is larger than a cache,
/// pairs are grouped by blocks of about 1 MiB of right-hand rows (a stable counting sort, so
/// a list grouped by left row stays grouped): each block is then read from cache while the
/// left rows stream, instead of every pair fetching a random row from memory.
func blockedPairDots(_ m: RowMatrix, _ pairs: PairIndex, blockBytes: Int = 1 << 20, minPairs: Int = 1 << 20) -> [Float] {
    let d = m.columns, n = pairs.count
    let blockRows = max(1, blockBytes / (4 * d))
    let blocks = (m.rows + blockRows - 1) / blockRows
    return m.values.withUnsafeBufferPointer { e in
        pairs.left.withUnsafeBufferPointer { lp in
            pairs.right.withUnsafeBufferPointer { rp in
                let base = e.baseAddress!
                if blocks <= 4 || n < minPairs {
                    return parallelFill(n) { range, out in
                        for i in range { out[i] = dot(base + Int(lp[i]) * d, base + Int(rp[i]) * d, d) }
                    }
                }
                var start = [Int](repeating: 0, count: blocks + 1)
                for i in 0..<n { start[Int(rp[i]) / blockRows + 1] += 1 }
                for b in 0..<blocks { start[b + 1] += start[b] }
                var fill = start
                var grouped = [Int32](repeating: 0, count: n)
                for i in 0..<n {
                    let b = Int(rp[i]) / blockRows
                    grouped[fill[b]] = Int32(i)
                    fill[b] += 1
                }
                return [Float](unsafeUninitializedCapacity: n) { out, initialized in
                    let o = out.baseAddress!
                    grouped.withUnsafeBufferPointer { g in
                        parallelRanges(blocks, threads: blocks) { bs in
                            for b in bs {
                                for j in start[b]..<start[b + 1] {
                                    let i = Int(g[j])
                                    o[i] = dot(base + Int(lp[i]) * d, base + Int(rp[i]) * d, d)
                                }
                            }
                        }
                    }
                    initialized = n
                }
            }
        }
    }
}
