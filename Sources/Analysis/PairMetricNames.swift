import Core
import Foundation

/// The similarity that a `scale-*` / `pfe-*` score multiplies (docs/metrics.md, "Pair scores").
public enum BaseSimilarity: String, Sendable, CaseIterable {
    case cosine
    case centeredCosine = "centered-cosine"
    case biasedCosine = "biased-cosine"
}

/// How the two per-pair confidences combine into the factor `c * f(u1, u2)`.
public enum ScaleCombination: String, Sendable, CaseIterable {
    case mul, harmonic
    case sqrtMul = "sqrt-mul"
    case sqrtHarmonic = "sqrt-harmonic"
}

/// Where the per-image factor of a scaled score comes from.
public enum ScaleSource: String, Sendable, CaseIterable {
    /// The stored scalar value itself (ScaleFace scale, embedding norm).
    case scale
    /// `1 / harmonic_mean(sigma^2)` of a PFE uncertainty vector.
    case pfe
}

/// The `distance` part of a metric name: a pair score, higher = more likely the same identity.
public enum PairDistance: Hashable, Sendable, CustomStringConvertible {
    case cosine, euc, centeredCosine, biasedCosine, mls
    case scaled(ScaleSource, ScaleCombination, BaseSimilarity)
    /// `p(same)` of a pair classifier (docs/metrics.md, "Pair classifiers").
    case classifier

    public static let allCases: [PairDistance] = [.cosine, .euc, .centeredCosine, .biasedCosine, .mls, .classifier]
        + ScaleSource.allCases.flatMap { s in
            ScaleCombination.allCases.flatMap { c in BaseSimilarity.allCases.map { .scaled(s, c, $0) } }
        }

    public var description: String {
        switch self {
        case .cosine: return "cosine"
        case .euc: return "euc"
        case .centeredCosine: return "centered-cosine"
        case .biasedCosine: return "biased-cosine"
        case .mls: return "MLS"
        case .classifier: return "classifier"
        case let .scaled(s, c, b): return "\(s.rawValue)-\(c.rawValue)-\(b.rawValue)"
        }
    }

    public init(name: String) throws {
        guard let d = PairDistance.allCases.first(where: { $0.description == name }) else {
            throw AnalysisError.unknownName(kind: "pair score", name: name,
                                            valid: PairDistance.allCases.map(\.description))
        }
        self = d
    }

    /// Whether the score needs the bias measured on validation pairs.
    public var needsBias: Bool {
        switch self {
        case .biasedCosine, .scaled(_, _, .biasedCosine): return true
        default: return false
        }
    }

    public var needsUncertainty: Bool {
        switch self {
        case .mls, .scaled: return true
        default: return false
        }
    }
}

/// The `uncertainty` part of a metric name (docs/metrics.md, "Pair uncertainties"). Larger value = the pair is
/// less trustworthy in `uncertainty` mode, more in `confidence` mode.
public enum PairUncertainty: String, Sendable, CaseIterable {
    /// `sum_k u1 + sum_k u2`: a sum despite the name (reference quirk, kept under its name).
    case mean
    case squaredSum = "squared-sum"
    case mul
    case harmonicSum = "harmonic-sum"
    case harmonicMul = "harmonic-mul"
    case harmonicHarmonic = "harmonic-harmonic"
    case squaredHarmonic = "squared-harmonic"
    /// `sum_j (u1 u2 + x1_j^2 u2 + x2_j^2 u1)` on the raw embeddings (the reference).
    case cosineAnalytic = "cosine-analytic"
    /// The same on normalised embeddings (scaleface's variant).
    case cosineAnalyticNormalized = "cosine-analytic-normalized"
    case min
    case similarity
    case perfect
    /// `1 - max p` of a pair classifier (docs/metrics.md, "Pair classifiers").
    case classifier

    public init(name: String) throws {
        guard let u = PairUncertainty(rawValue: name) else {
            throw AnalysisError.unknownName(kind: "pair uncertainty", name: name,
                                            valid: PairUncertainty.allCases.map(\.rawValue))
        }
        self = u
    }

    public var needsUncertainty: Bool {
        switch self {
        case .similarity, .perfect, .classifier: return false
        default: return true
        }
    }
}

/// A reject metric `distance_uncertainty`, e.g. `cosine_harmonic-harmonic`.
public struct PairMetric: Hashable, Sendable, CustomStringConvertible {
    public var distance: PairDistance
    public var uncertainty: PairUncertainty

    /// Whether the metric reads a pair classifier's values.
    public var needsClassifier: Bool { distance == .classifier || uncertainty == .classifier }

    public init(distance: PairDistance, uncertainty: PairUncertainty) {
        self.distance = distance
        self.uncertainty = uncertainty
    }

    public init(name: String) throws {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw AnalysisError.invalidArgument(
                "metric '\(name)' is not of the form distance_uncertainty (e.g. cosine_harmonic-harmonic)")
        }
        distance = try PairDistance(name: String(parts[0]))
        uncertainty = try PairUncertainty(name: String(parts[1]))
    }

    public var description: String { "\(distance)_\(uncertainty.rawValue)" }
}

/// A template metric: `fusion_distance` for verification, `fusion_distance_uncertainty` for
/// template reject verification, e.g. `mean_cosine`, `PFE_MLS`, `mean_cosine_mul`.
public struct FusionMetric: Hashable, Sendable, CustomStringConvertible {
    public var fusion: FusionMethod
    public var distance: PairDistance
    public var uncertainty: PairUncertainty?

    /// Whether the metric reads a pair classifier's values.
    public var needsClassifier: Bool { distance == .classifier || uncertainty == .classifier }

    public init(name: String, withUncertainty: Bool) throws {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        let want = withUncertainty ? 3 : 2
        guard parts.count == want else {
            throw AnalysisError.invalidArgument(withUncertainty
                ? "reject metric '\(name)' is not of the form fusion_distance_uncertainty (e.g. mean_cosine_mul)"
                : "fusion '\(name)' is not of the form fusion_distance (e.g. mean_cosine, PFE_MLS)")
        }
        fusion = try FusionMethod(name: parts[0])
        distance = try PairDistance(name: parts[1])
        uncertainty = withUncertainty ? try PairUncertainty(name: parts[2]) : nil
    }

    public var description: String {
        "\(fusion)_\(distance)" + (uncertainty.map { "_\($0.rawValue)" } ?? "")
    }
}
