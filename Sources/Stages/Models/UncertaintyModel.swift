import Backbone
import Checkpoint
import Core

/// Strategy `backbone+uncertainty_model` (docs/strategies.md, "MagFace"): a second iResNet,
/// the checkpoint's `uncertainty_model` section (a converted MagFace network, or one in
/// MagFace's own key layout, `BackboneSection`), run on the same crops standardised as
/// MagFace's `p / 255`; the value is `‖feature‖₂` of its un-normalised `feature` (a confidence).
/// Its depth is counted from its keys (the reference's configs use iresnet50 or iresnet100)
/// and its widths read from its shapes.
struct UncertaintyModel: Sendable {
    let network: IResNet

    init(checkpoint path: String, weights file: WeightSet, inputSize: Int) throws {
        guard file.hasSection("uncertainty_model") else {
            throw InputError(file: path, "strategy 'backbone+uncertainty_model' needs an 'uncertainty_model' section (a converted MagFace network); this checkpoint has none")
        }
        let section = BackboneSection(file, section: "uncertainty_model")
        var blocks: [Int] = []
        for stage in 1...4 {
            var n = 0
            while section.weights["layer\(stage).\(n).conv1.weight"] != nil { n += 1 }
            guard n > 0 else {
                throw InputError(file: path, "\(section.prefix).layer\(stage).0.conv1.weight is missing (expected an iResNet in 'uncertainty_model')")
            }
            blocks.append(n)
        }
        var config = IResNetConfig(blocks: blocks, inputSize: inputSize)
        config = config.inferringWidths(from: section.weights)
        network = try IResNet(config: config, weights: section.weights, prefix: section.prefix)
    }

    /// `‖feature‖₂` per image of the uncertainty model on `input`, the backbone's input
    /// standardised with `preprocess`, re-standardised to MagFace's `p / 255`.
    func values(_ input: [Float], batch: Int, preprocess: Preprocess, workspace: Workspace) -> [Float] {
        let magface = preprocess == .scale ? input : input.map { Preprocess.scale.standardise(preprocess.pixel($0)) }
        let out = network.forward(magface, batch: batch, workspace: workspace)
        return UncertaintyHeads.embeddingNorms(out.feature, rows: batch, width: network.config.embeddingSize)
    }
}

extension Preprocess {
    /// The byte `p` whose standardised value is `x` (exact: both standardisations are
    /// injective on 0...255 and far apart in float32).
    func pixel(_ x: Float) -> UInt8 {
        let p: Float
        switch self {
        case .meanScale: p = x * 128 + 127.5
        case .scale: p = x * 255
        }
        return UInt8(max(0, min(255, p.rounded())))
    }
}
