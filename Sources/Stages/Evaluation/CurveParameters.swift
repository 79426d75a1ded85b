import Analysis
import ArgumentParser
import Core
import Pipeline

/// What kind of curve `reject` and `fusion` compute besides TAR@FAR.
public enum CurveKind: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// Reject curves only.
    case tar
    /// Also the FNM-EDC (docs/metrics.md).
    case edc
}

/// The options `reject` and `fusion` share: which uncertainty orders the pairs, at which FARs
/// and rejected portions TAR is read, and the optional EDC and bootstrap (docs/metrics.md).
public struct CurveParameters: ParsableArguments, Sendable {
    @Option(help: "Uncertainty strategy stored in the store (random: a seeded random order, the baseline).")
    public var strategy: String?
    @Option(help: "uncertainty or confidence (default: the strategy's stored mode).")
    public var mode: UncertaintyMode?
    @Option(help: "Comma-separated FARs.")
    public var fars = FARList(argument: "1e-4,1e-3,1e-2")!
    @Option(help: "Rejected portions: start:stop:count (numpy linspace, e.g. 0:0.5:250), start:step:stop (seq, e.g. 0:0.02:0.5) or a comma list.")
    public var portions = PortionList(argument: "0:0.5:250")!
    @Option(help: "The biased-cosine bias b (reject: or give validation pairs).")
    public var bias: Double?
    @Option(help: "tar (reject curves only) or edc (also the FNM-EDC, docs/metrics.md).")
    public var curve: CurveKind = .tar
    @Option(help: "Discard limit of the EDC pAUC.")
    public var paucLimit = 0.2
    @Option(help: "Bootstrap replicates resampling subjects for TAR@FAR and AUC intervals (0: none).")
    public var bootstrap = 0
    @Option(help: "Seed of the random order, the random fusion and the bootstrap.")
    public var seed: UInt64 = 0
    @Option(help: "How a FAR picks its threshold: reference (the ScaleFace code's k-th impostor score) or insightface (eval_ijbc.py's nearest ROC point; docs/metrics.md).")
    public var farRule: FARRule = .reference
    @Option(help: "Pair classifier checkpoint (.pth or .h5) for the classifier metrics (default: the one kept in the store; docs/metrics.md).")
    public var pairClassifier: InputFile?
    @Option(help: "How pairs with equal uncertainty are ordered before rejection: reference (numpy's unstable argsort, as the reference) or stable (pair-table order; docs/metrics.md, \"Tie order\").")
    public var tieOrder: TieOrder = .reference

    public init() {}

    public func validate() throws {
        guard bootstrap >= 0 else { throw ValidationError("bootstrap replicates must be 0 or more") }
        guard paucLimit > 0 && paucLimit <= 1 else { throw ValidationError("the pAUC limit must be in (0, 1]") }
    }

    /// The evaluation's settings as plain values.
    public var curveOptions: CurveOptions {
        var o = CurveOptions(fars: fars.values, portions: portions.values, mode: mode, bias: bias)
        o.edcLimit = curve == .edc ? paucLimit : nil
        o.bootstrap = bootstrap
        o.seed = seed
        o.farRule = farRule
        o.tieOrder = tieOrder
        return o
    }
}
