import Core
import Foundation

/// Which images make up each template: template `t` is `members[offsets[t] ..< offsets[t+1]]`
/// (rows of the image embedding matrix), in the order that decides `first` and the ties of
/// `min` / `argmax` (the reference orders by image key). `media` (one id per member) and
/// `detectorScores` (one per member) are used by `media-mean` when present.
public struct TemplateMembers: Sendable, Equatable {
    public var offsets: [Int]
    public var members: [Int32]
    public var media: [Int32]?
    public var detectorScores: [Float]?

    public init(offsets: [Int], members: [Int32], media: [Int32]? = nil, detectorScores: [Float]? = nil) throws {
        guard let first = offsets.first, first == 0, offsets.last == members.count,
              zip(offsets, offsets.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw AnalysisError.shapeMismatch("template offsets must start at 0, rise strictly and end at the member count")
        }
        if let m = media, m.count != members.count {
            throw AnalysisError.shapeMismatch("\(m.count) media ids for \(members.count) template members")
        }
        if let s = detectorScores, s.count != members.count {
            throw AnalysisError.shapeMismatch("\(s.count) detector scores for \(members.count) template members")
        }
        self.offsets = offsets
        self.members = members
        self.media = media
        self.detectorScores = detectorScores
    }

    public var count: Int { offsets.count - 1 }
}

/// A template fusion method under its reference name (docs/metrics.md, "Template fusion"), plus
/// InsightFace's `media-mean`.
public enum FusionMethod: Hashable, Sendable, CustomStringConvertible {
    case first, mean, statMean, pfe, min, statSoftmax, argmax, weighted, random, mediaMean
    case softmax(temperature: Double)
    case weightedSoftmax(temperature: Double)

    public static let baseNames = ["first", "mean", "stat-mean", "PFE", "min", "softmax", "softmax-T",
                                   "stat-softmax", "argmax", "weighted", "weighted-softmax",
                                   "weighted-softmax-T", "random", "media-mean"]

    public init(name: String) throws {
        let fixed: [String: FusionMethod] = [
            "first": .first, "mean": .mean, "stat-mean": .statMean, "PFE": .pfe, "min": .min,
            "stat-softmax": .statSoftmax, "argmax": .argmax, "weighted": .weighted, "random": .random,
            "media-mean": .mediaMean, "softmax": .softmax(temperature: 1),
            "weighted-softmax": .weightedSoftmax(temperature: 1),
        ]
        if let m = fixed[name] { self = m; return }
        for (prefix, make) in [("weighted-softmax-", FusionMethod.weightedSoftmax), ("softmax-", FusionMethod.softmax)]
        where name.hasPrefix(prefix) {
            if let t = Double(name.dropFirst(prefix.count)), t > 0, t.isFinite {
                self = make(t); return
            }
        }
        throw AnalysisError.unknownName(kind: "fusion", name: name,
                                        valid: Self.baseNames.map { $0.replacingOccurrences(of: "-T", with: "-<T>") })
    }

    public var description: String {
        switch self {
        case .first: return "first"
        case .mean: return "mean"
        case .statMean: return "stat-mean"
        case .pfe: return "PFE"
        case .min: return "min"
        case .statSoftmax: return "stat-softmax"
        case .argmax: return "argmax"
        case .weighted: return "weighted"
        case .random: return "random"
        case .mediaMean: return "media-mean"
        case let .softmax(t): return t == 1 ? "softmax" : "softmax-\(formatTemperature(t))"
        case let .weightedSoftmax(t): return t == 1 ? "weighted-softmax" : "weighted-softmax-\(formatTemperature(t))"
        }
    }

    /// Whether the method produces a template uncertainty (`random` does not).
    public var hasUncertainty: Bool { self != .random }

    /// Whether the method needs per-image uncertainties to fuse embeddings.
    public var needsUncertainty: Bool {
        switch self {
        case .first, .mean, .statMean, .random, .mediaMean: return false
        default: return true
        }
    }
}

private func formatTemperature(_ t: Double) -> String {
    t == t.rounded() && abs(t) < 1e15 ? String(Int(t)) : String(t)
}

/// Template embeddings `[templates, D]` and uncertainties `[templates, k]` (nil for `random`,
/// or when the images have none).
public struct FusedTemplates: Sendable {
    public var embeddings: RowMatrix
    public var uncertainty: RowMatrix?
}

/// Fuses image embeddings `[images, D]` and uncertainties `[images, k]` (k = 1 or D) into one
/// embedding and uncertainty per template. Sums are accumulated in Double and stored as Float.
public func fuseTemplates(_ method: FusionMethod, embeddings: RowMatrix, uncertainty: RowMatrix?,
                          templates: TemplateMembers, seed: UInt64 = 0) throws -> FusedTemplates {
    let d = embeddings.columns
    let k = uncertainty?.columns ?? 1
    if let u = uncertainty {
        guard u.rows == embeddings.rows, k == 1 || k == d else {
            throw AnalysisError.shapeMismatch("uncertainty [\(u.rows), \(k)] does not fit embeddings [\(embeddings.rows), \(d)]")
        }
    }
    if method.needsUncertainty && uncertainty == nil {
        throw AnalysisError.invalidArgument("fusion '\(method)' needs a per-image uncertainty (choose a strategy)")
    }
    for m in templates.members where Int(m) < 0 || Int(m) >= embeddings.rows {
        throw AnalysisError.shapeMismatch("template member row \(m) is outside \(embeddings.rows) images")
    }
    let nt = templates.count
    var outE = [Float](repeating: 0, count: nt * d)
    let withU = uncertainty != nil && method.hasUncertainty
    var outU = [Float](repeating: 0, count: withU ? nt * k : 0)
    // random draws happen serially, in template order, so they do not depend on threading
    var picks = [Int](repeating: 0, count: method == .random ? nt : 0)
    if method == .random {
        var rng = SplitMix64(seed: seed)
        for t in 0..<nt { picks[t] = rng.index(below: templates.offsets[t + 1] - templates.offsets[t]) }
    }
    let e = embeddings.values, uvals = uncertainty?.values ?? []
    outE.withUnsafeMutableBufferPointer { oe in
        outU.withUnsafeMutableBufferPointer { ou in
            let oeBase = oe.baseAddress!, ouBase = ou.baseAddress
            parallelChunks(nt, minChunk: 64) { range in
                var acc = [Double](repeating: 0, count: d)
                var uacc = [Double](repeating: 0, count: k)
                for t in range {
                    let mem = templates.members[templates.offsets[t] ..< templates.offsets[t + 1]].map(Int.init)
                    fuseOne(method, mem: mem, picked: method == .random ? picks[t] : 0,
                            e: e, u: uvals, d: d, k: k, templates: templates,
                            memberOffset: templates.offsets[t], acc: &acc, uacc: &uacc)
                    for j in 0..<d { oeBase[t * d + j] = Float(acc[j]) }
                    if withU, let ob = ouBase { for j in 0..<k { ob[t * k + j] = Float(uacc[j]) } }
                }
            }
        }
    }
    return FusedTemplates(embeddings: RowMatrix(uncheckedValues: outE, rows: nt, columns: d),
                          uncertainty: withU ? RowMatrix(uncheckedValues: outU, rows: nt, columns: k) : nil)
}

/// `x / (1e-8 + ||x||)` in place.
private func normalize(_ x: inout [Double]) {
    var ss = 0.0
    for v in x { ss += v * v }
    let denom = 1e-8 + ss.squareRoot()
    for j in x.indices { x[j] /= denom }
}

/// Fuses one template into `acc` (embedding, length d) and `uacc` (uncertainty, length k).
private func fuseOne(_ method: FusionMethod, mem: [Int], picked: Int, e: [Float], u: [Float], d: Int, k: Int,
                     templates: TemplateMembers, memberOffset: Int,
                     acc: inout [Double], uacc: inout [Double]) {
    let n = mem.count
    for j in 0..<d { acc[j] = 0 }
    for j in 0..<k { uacc[j] = 0 }
    @inline(__always) func ev(_ i: Int, _ j: Int) -> Double { Double(e[mem[i] * d + j]) }
    @inline(__always) func uv(_ i: Int, _ c: Int) -> Double { u.isEmpty ? 0 : Double(u[mem[i] * k + c]) }
    // component of u that weights embedding dimension j
    @inline(__always) func uc(_ j: Int) -> Int { k == 1 ? 0 : j }

    switch method {
    case .first, .random:
        let i = method == .first ? 0 : picked
        for j in 0..<d { acc[j] = ev(i, j) }
        normalize(&acc)
        for c in 0..<k { uacc[c] = uv(i, c) }
    case .mean, .statMean:
        for i in 0..<n { for j in 0..<d { acc[j] += ev(i, j) } }
        for j in 0..<d { acc[j] /= Double(n) }
        normalize(&acc)
        for i in 0..<n { for c in 0..<k { uacc[c] += uv(i, c) } }
        let factor = method == .statMean ? Double(n).squareRoot() : 1
        for c in 0..<k { uacc[c] = uacc[c] / Double(n) * factor }
    case .pfe:
        var inv = [Double](repeating: 0, count: k)
        for i in 0..<n { for c in 0..<k { inv[c] += 1 / uv(i, c) } }
        for i in 0..<n { for j in 0..<d { acc[j] += (1 / uv(i, uc(j))) / inv[uc(j)] * ev(i, j) } }
        normalize(&acc)
        for c in 0..<k { uacc[c] = (0..<n).map { uv($0, c) }.min()! }
    case .min, .argmax:
        // per component, the first member (in template order) with the smallest / largest u
        var best = [Int](repeating: 0, count: k)
        for c in 0..<k {
            for i in 1..<max(n, 1) where method == .min ? uv(i, c) < uv(best[c], c) : uv(i, c) > uv(best[c], c) {
                best[c] = i
            }
            uacc[c] = uv(best[c], c)
        }
        for j in 0..<d { acc[j] = ev(best[uc(j)], j) }
    case let .softmax(t):
        let w = softmax((0..<n).map { uv($0, 0) / t })
        for i in 0..<n { for j in 0..<d { acc[j] += w[i] * ev(i, j) } }
        normalize(&acc)
        for i in 0..<n { for c in 0..<k { uacc[c] += w[i] * uv(i, c) } }
    case .statSoftmax:
        for c in 0..<k {
            let w = softmax((0..<n).map { uv($0, c) })
            for i in 0..<n {
                uacc[c] += w[i] * uv(i, c)
                if k == 1 { for j in 0..<d { acc[j] += w[i] * ev(i, j) } } else { acc[c] += w[i] * ev(i, c) }
            }
            uacc[c] *= Double(n).squareRoot()
        }
        normalize(&acc)
    case .weighted, .weightedSoftmax:
        var total = [Double](repeating: 0, count: k)
        for i in 0..<n { for c in 0..<k { total[c] += uv(i, c) } }
        for i in 0..<n { for j in 0..<d { acc[j] += uv(i, uc(j)) / total[uc(j)] * ev(i, j) } }
        if case let .weightedSoftmax(t) = method {
            // embedding stays raw; u is weighted by softmax(u / T) per component
            for c in 0..<k {
                let w = softmax((0..<n).map { uv($0, c) / t })
                for i in 0..<n { uacc[c] += w[i] * uv(i, c) }
            }
        } else {
            normalize(&acc)
            for i in 0..<n { for c in 0..<k { uacc[c] += uv(i, c) / total[c] * uv(i, c) } }
        }
    case .mediaMean:
        // mean (optionally detector-score weighted) embedding per media, summed, normalised
        var byMedia: [Int32: (sum: [Double], count: Int)] = [:]
        var mediaOrder: [Int32] = []
        for i in 0..<n {
            let m = templates.media?[memberOffset + i] ?? Int32(i)
            let weight = Double(templates.detectorScores?[memberOffset + i] ?? 1)
            if byMedia[m] == nil { byMedia[m] = ([Double](repeating: 0, count: d), 0); mediaOrder.append(m) }
            for j in 0..<d { byMedia[m]!.sum[j] += weight * ev(i, j) }
            byMedia[m]!.count += 1
        }
        for m in mediaOrder {
            let (s, c) = byMedia[m]!
            for j in 0..<d { acc[j] += s[j] / Double(c) }
        }
        normalize(&acc)
        for i in 0..<n { for c in 0..<k { uacc[c] += uv(i, c) } }
        for c in 0..<k { uacc[c] /= Double(n) }
    }
}

/// Softmax with the maximum subtracted first (same values, no overflow).
private func softmax(_ x: [Double]) -> [Double] {
    let m = x.max() ?? 0
    let ex = x.map { Foundation.exp($0 - m) }
    let s = ex.reduce(0, +)
    return ex.map { $0 / s }
}

/// Sets the uncertainty of every template on the left (enrollment) side of a pair to 1, so
/// that only the verification side decides (`equal_uncertainty_enroll`). A template used on
/// both sides is an error: one row cannot hold both values.
public func equalUncertaintyEnroll(_ uncertainty: RowMatrix, pairs: PairIndex) throws -> RowMatrix {
    var isLeft = [Bool](repeating: false, count: uncertainty.rows)
    for l in pairs.left { isLeft[Int(l)] = true }
    for r in pairs.right where isLeft[Int(r)] {
        throw AnalysisError.invalidArgument(
            "equal-uncertainty-enroll: template row \(r) is both an enrollment (left) and a verification (right) side")
    }
    var out = uncertainty
    let k = out.columns
    for t in 0..<out.rows where isLeft[t] { for c in 0..<k { out.values[t * k + c] = 1 } }
    return out
}
