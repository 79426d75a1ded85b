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

/// A template fusion method (docs/metrics.md, "Template fusion"). The template script's
/// methods keep their reference names and semantics; `fusion.py`'s methods whose name the
/// template script uses differently have names of their own (`dim-softmax-T`,
/// `mean-no-uncertainty`), as have scaleface's per-component variants (`*-dim`, `min-raw`);
/// `media-mean` is InsightFace's.
public enum FusionMethod: Hashable, Sendable, CustomStringConvertible {
    // the template script (template_reject_verification.py)
    case first, mean, statMean, pfe, argmax, statSoftmax, weighted
    case softmax(temperature: Double)
    case weightedSoftmax(temperature: Double)
    // fusion.py (aggregation.py); `PFE` is the same function in both scripts
    case min, random, meanNoUncertainty
    case dimSoftmax(temperature: Double)
    // scaleface's per-component variants
    case minRaw, argmaxDim, statSoftmaxDim, weightedDim
    case weightedSoftmaxDim(temperature: Double)
    // InsightFace
    case mediaMean

    public static let baseNames = ["first", "mean", "stat-mean", "PFE", "argmax", "softmax", "softmax-T",
                                   "stat-softmax", "weighted", "weighted-softmax", "weighted-softmax-T",
                                   "min", "random", "mean-no-uncertainty", "dim-softmax-T",
                                   "min-raw", "argmax-dim", "stat-softmax-dim", "weighted-dim",
                                   "weighted-softmax-dim", "weighted-softmax-dim-T", "media-mean"]

    private static let fixed: [String: FusionMethod] = [
        "first": .first, "mean": .mean, "stat-mean": .statMean, "PFE": .pfe, "argmax": .argmax,
        "stat-softmax": .statSoftmax, "weighted": .weighted, "softmax": .softmax(temperature: 1),
        "weighted-softmax": .weightedSoftmax(temperature: 1),
        "min": .min, "random": .random, "mean-no-uncertainty": .meanNoUncertainty,
        "min-raw": .minRaw, "argmax-dim": .argmaxDim, "stat-softmax-dim": .statSoftmaxDim,
        "weighted-dim": .weightedDim, "weighted-softmax-dim": .weightedSoftmaxDim(temperature: 1),
        "media-mean": .mediaMean,
    ]

    /// Name prefixes taking a temperature, longest first.
    private static let tempered: [(String, (Double) -> FusionMethod)] = [
        ("weighted-softmax-dim-", FusionMethod.weightedSoftmaxDim), ("weighted-softmax-", FusionMethod.weightedSoftmax),
        ("dim-softmax-", FusionMethod.dimSoftmax), ("softmax-", FusionMethod.softmax),
    ]

    public init(name: String) throws {
        if let m = Self.fixed[name] { self = m; return }
        for (prefix, make) in Self.tempered where name.hasPrefix(prefix) {
            if let t = Double(name.dropFirst(prefix.count)), t > 0, t.isFinite {
                self = make(t); return
            }
        }
        throw AnalysisError.unknownName(kind: "fusion", name: name,
                                        valid: Self.baseNames.map { $0.hasSuffix("-T") ? String($0.dropLast()) + "<T>" : $0 })
    }

    public var description: String {
        switch self {
        case let .softmax(t): return t == 1 ? "softmax" : "softmax-\(formatTemperature(t))"
        case let .weightedSoftmax(t): return t == 1 ? "weighted-softmax" : "weighted-softmax-\(formatTemperature(t))"
        case let .weightedSoftmaxDim(t):
            return t == 1 ? "weighted-softmax-dim" : "weighted-softmax-dim-\(formatTemperature(t))"
        case let .dimSoftmax(t): return "dim-softmax-\(formatTemperature(t))"
        default: return Self.fixed.first { $0.value == self }!.key
        }
    }

    /// Whether the method produces a template uncertainty (`fusion.py`'s `random`, `mean` and
    /// `softmax-T` do not).
    public var hasUncertainty: Bool {
        switch self {
        case .random, .meanNoUncertainty, .dimSoftmax: return false
        default: return true
        }
    }

    /// Whether the method needs per-image uncertainties to fuse embeddings.
    public var needsUncertainty: Bool {
        switch self {
        case .first, .mean, .statMean, .random, .mediaMean, .meanNoUncertainty: return false
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
    if method == .min && k != d {
        throw AnalysisError.invalidArgument(
            "fusion 'min' (fusion.py) needs a per-dimension uncertainty (k = D = \(d)), the strategy has k = \(k) "
            + "(the reference raises IndexError); min-raw takes the image of smallest uncertainty")
    }
    for m in templates.members where Int(m) < 0 || Int(m) >= embeddings.rows {
        throw AnalysisError.shapeMismatch("template member row \(m) is outside \(embeddings.rows) images")
    }
    let nt = templates.count
    var outE = [Float](repeating: 0, count: nt * d)
    let withU = uncertainty != nil && method.hasUncertainty
    var outU = [Float](repeating: 0, count: withU ? nt * k : 0)
    let e = embeddings.values, uvals = uncertainty?.values ?? []
    let picks = try pickedMembers(method, uncertainty: uvals, k: k, templates: templates, seed: seed)
    outE.withUnsafeMutableBufferPointer { oe in
        outU.withUnsafeMutableBufferPointer { ou in
            let oeBase = oe.baseAddress!, ouBase = ou.baseAddress
            parallelChunks(nt, minChunk: 64) { range in
                var acc = [Double](repeating: 0, count: d)
                var uacc = [Double](repeating: 0, count: k)
                for t in range {
                    let mem = templates.members[templates.offsets[t] ..< templates.offsets[t + 1]].map(Int.init)
                    fuseOne(method, mem: mem, picked: picks.isEmpty ? 0 : picks[t],
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

/// The member each template takes for `random` (SplitMix64 draws, serially in template order,
/// so they do not depend on threading) and for the template script's `argmax` (numpy's
/// `argmax` of the flattened `[n, k]` uncertainty, first occurrence; for k > 1 a flat index
/// `i * k + c` that is used as an image index, as the reference does, and refused when it is
/// not one). Empty for the other methods.
private func pickedMembers(_ method: FusionMethod, uncertainty u: [Float], k: Int,
                           templates: TemplateMembers, seed: UInt64) throws -> [Int] {
    let nt = templates.count
    switch method {
    case .random:
        var rng = SplitMix64(seed: seed)
        return (0..<nt).map { rng.index(below: templates.offsets[$0 + 1] - templates.offsets[$0]) }
    case .argmax:
        return try (0..<nt).map { t in
            let mem = templates.members[templates.offsets[t] ..< templates.offsets[t + 1]].map(Int.init)
            var best = 0
            for flat in 1..<(mem.count * k) where u[mem[flat / k] * k + flat % k] > u[mem[best / k] * k + best % k] {
                best = flat
            }
            guard best < mem.count else {
                throw AnalysisError.invalidArgument(
                    "fusion 'argmax' of template row \(t) (\(mem.count) images, k = \(k)): the reference's flattened argmax "
                    + "\(best) is not an image index (numpy IndexError); argmax-dim takes the largest value per component")
            }
            return best
        }
    default:
        return []
    }
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
    // sum_i w_i e_i and sum_i v_i u_i for per-image weights (the template script's first column)
    func weightedSums(embedding w: [Double], uncertainty v: [Double]) {
        for i in 0..<n { for j in 0..<d { acc[j] += w[i] * ev(i, j) } }
        for i in 0..<n { for c in 0..<k { uacc[c] += v[i] * uv(i, c) } }
    }
    let firstColumn = (0..<n).map { uv($0, 0) }

    switch method {
    case .first, .random:
        let i = method == .first ? 0 : picked
        for j in 0..<d { acc[j] = ev(i, j) }
        normalize(&acc)
        for c in 0..<k { uacc[c] = uv(i, c) }
    case .mean, .statMean, .meanNoUncertainty:
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
    case .argmax:
        for j in 0..<d { acc[j] = ev(picked, j) }
        for c in 0..<k { uacc[c] = uv(picked, c) }
    case .min, .minRaw, .argmaxDim:
        // per component, the first member (in template order) with the smallest / largest u
        var best = [Int](repeating: 0, count: k)
        for c in 0..<k {
            for i in 1..<max(n, 1) where method == .argmaxDim ? uv(i, c) > uv(best[c], c) : uv(i, c) < uv(best[c], c) {
                best[c] = i
            }
            uacc[c] = uv(best[c], c)
        }
        for j in 0..<d { acc[j] = ev(best[uc(j)], j) }
        if method == .min { normalize(&acc) }
    case let .softmax(t):
        let w = softmax(firstColumn.map { $0 / t })
        weightedSums(embedding: w, uncertainty: w)
        normalize(&acc)
    case .statSoftmax:
        let w = softmax(firstColumn)
        weightedSums(embedding: w, uncertainty: w)
        normalize(&acc)
        for c in 0..<k { uacc[c] *= Double(n).squareRoot() }
    case .weighted:
        // the reference divides the features by their Frobenius norm (+1e-8) first
        var ss = 0.0
        for i in 0..<n { for j in 0..<d { ss += ev(i, j) * ev(i, j) } }
        let frob = 1e-8 + ss.squareRoot()
        let total = firstColumn.reduce(0, +)
        let w = firstColumn.map { $0 / total }
        weightedSums(embedding: w.map { $0 / frob }, uncertainty: w)
        normalize(&acc)
    case let .weightedSoftmax(t):
        let total = firstColumn.reduce(0, +)
        weightedSums(embedding: firstColumn.map { $0 / total }, uncertainty: softmax(firstColumn.map { $0 / t }))
        normalize(&acc)
    case let .dimSoftmax(t):
        // per image, softmax over the k components of T * u (a scalar u gives weight 1)
        for i in 0..<n {
            let w = softmax((0..<k).map { t * uv(i, $0) })
            for j in 0..<d { acc[j] += w[uc(j)] * ev(i, j) }
        }
        normalize(&acc)
    case .statSoftmaxDim:
        for c in 0..<k {
            let w = softmax((0..<n).map { uv($0, c) })
            for i in 0..<n {
                uacc[c] += w[i] * uv(i, c)
                if k == 1 { for j in 0..<d { acc[j] += w[i] * ev(i, j) } } else { acc[c] += w[i] * ev(i, c) }
            }
            uacc[c] *= Double(n).squareRoot()
        }
        normalize(&acc)
    case .weightedDim, .weightedSoftmaxDim:
        var total = [Double](repeating: 0, count: k)
        for i in 0..<n { for c in 0..<k { total[c] += uv(i, c) } }
        for i in 0..<n { for j in 0..<d { acc[j] += uv(i, uc(j)) / total[uc(j)] * ev(i, j) } }
        if case let .weightedSoftmaxDim(t) = method {
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

/// The template-versus-single-image setup (`equal_uncertainty_enroll`, docs/metrics.md,
/// "Template versus single image") as one matrix: rows `0 ..< E` are the enrolment templates
/// fused with the metric's method, rows `E ..< 2E` the same templates fused with `first`
/// (the verification side); pair `(l, r)` becomes `(l, E + r)`, so a template may appear on
/// both sides. `uncertainty` holds both sides' real values (they enter the scores);
/// `rankingUncertainty` has every enrolment row set to 1 (it enters only the pair
/// uncertainty that orders the rejection).
public struct TemplateSides: Sendable {
    public var embeddings: RowMatrix
    public var uncertainty: RowMatrix?
    public var rankingUncertainty: RowMatrix?
    public var pairs: PairIndex
    public var enrolmentRows: Int

    public init(enrolment: FusedTemplates, verification: FusedTemplates, pairs: PairIndex) throws {
        let e = enrolment.embeddings, v = verification.embeddings
        guard e.rows == v.rows, e.columns == v.columns else {
            throw AnalysisError.shapeMismatch("enrolment templates [\(e.rows), \(e.columns)] and verification templates "
                                              + "[\(v.rows), \(v.columns)] differ")
        }
        try pairs.validate(rows: e.rows)
        let rows = e.rows
        embeddings = RowMatrix(uncheckedValues: e.values + v.values, rows: 2 * rows, columns: e.columns)
        if let eu = enrolment.uncertainty, let vu = verification.uncertainty, eu.columns == vu.columns {
            uncertainty = RowMatrix(uncheckedValues: eu.values + vu.values, rows: 2 * rows, columns: eu.columns)
            rankingUncertainty = RowMatrix(uncheckedValues: [Float](repeating: 1, count: eu.values.count) + vu.values,
                                           rows: 2 * rows, columns: eu.columns)
        } else {
            uncertainty = nil
            rankingUncertainty = nil
        }
        let shift = Int32(rows)
        self.pairs = try PairIndex(left: pairs.left, right: pairs.right.map { $0 + shift }, labels: pairs.labels)
        enrolmentRows = rows
    }
}
