import Foundation

/// The uncertainty heads of the `head` section of a reference checkpoint, by the names the
/// reference's configs give them (`head.name` in a model YAML; docs/strategies.md, "Heads").
/// Which one a checkpoint holds is recognised from its keys and shapes (`HeadLayout`).
public enum HeadKind: String, CaseIterable, Sendable {
    /// `PFEHead`: biased `fc1.weight` / `fc2.weight`, L2-normalised input.
    case pfe = "pfe_head"
    /// `PFEHeadAdjustable`: bare `fc1` / `fc2` matrices, row-normalised, no biases.
    case pfeAdjustable = "pfe_head_adjustable"
    /// `PFEHeadAdjustableSpectralSimple`: spectral-normalised `fc1` / `fc2` (`weight_orig`, `weight_u`, `weight_v`).
    case pfeAdjustableSpectral = "pfe_head_adjustable_spectral"
    /// `ProbHead` (ProbFace): biased layers, one sigma^2 per image.
    case prob = "prob_head"

    /// The reference's class name.
    public var className: String {
        switch self {
        case .pfe: return "PFEHead"
        case .pfeAdjustable: return "PFEHeadAdjustable"
        case .pfeAdjustableSpectral: return "PFEHeadAdjustableSpectralSimple"
        case .prob: return "ProbHead"
        }
    }
}
