import Checkpoint

/// Which head a `head` section (or a bare head state dict) holds, read from its keys and
/// shapes: the one place that tells the four kinds apart (docs/strategies.md, "Heads").
///
/// - `fc1` and `fc2` bare matrices: `pfe_head_adjustable`.
/// - `fc1.weight_orig` (with `weight_u`, `weight_v`): `pfe_head_adjustable_spectral`.
/// - `fc1.weight` (biased Linears): `prob_head` when `fc2.weight` has one row (one sigma^2
///   per image), else `pfe_head`.
///
/// Two layouts at once (`fc1` beside `fc1.weight`), `fc1` and `fc2` in different layouts, or
/// a matrix that is not 2-D is refused with one line naming the key.
extension HeadKind {
    public static func recognise(_ weights: WeightSet, prefix: String = "", expected: HeadKind? = nil) throws -> HeadKind {
        func full(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }
        func fail(_ message: String) -> CheckpointError { CheckpointError(path: weights.source, message: message) }
        func layout(_ layer: String) -> [String] {
            ["", ".weight", ".weight_orig"].map { layer + $0 }.filter { weights[$0] != nil }
        }
        let first = layout("fc1"), second = layout("fc2")
        guard first.count == 1, let key = first.first else {
            if first.isEmpty {
                throw fail("no uncertainty head: expected \(full("fc1")) (pfe_head_adjustable), \(full("fc1.weight")) (pfe_head, prob_head) or \(full("fc1.weight_orig")) (pfe_head_adjustable_spectral)")
            }
            throw fail("ambiguous head layout: \(first.map(full).joined(separator: " and ")) are both present (expected exactly one form of fc1)")
        }
        let suffix = String(key.dropFirst("fc1".count))
        guard second == ["fc2" + suffix] else {
            let found = second.isEmpty ? "no fc2" : second.map(full).joined(separator: " and ")
            throw fail("inconsistent head layout: \(full(key)) needs \(full("fc2" + suffix)), found \(found)")
        }
        for k in [key, "fc2" + suffix] where weights[k]!.shape.count != 2 {
            throw fail("\(full(k)) is \(weights[k]!.shape), expected a 2-D [out, in] matrix")
        }
        let kind: HeadKind
        switch suffix {
        case "": kind = .pfeAdjustable
        case ".weight_orig": kind = .pfeAdjustableSpectral
        default:
            // Biased Linears: the width of fc2 tells ProbHead's single sigma^2 from PFE's vector.
            if let expected, expected == .pfe || expected == .prob { return expected }
            kind = weights["fc2.weight"]!.shape[0] == 1 ? .prob : .pfe
        }
        if let expected, expected != kind {
            throw fail("\(full(key)) makes the head a \(kind.rawValue) (\(kind.className)), but \(expected.rawValue) was asked for")
        }
        return kind
    }
}
