import ArgumentParser
import Core
import Checkpoint
import Backbone
import Foundation

/// What `embed` computes per image, by the reference's strategy names (docs/backbone.md,
/// "Networks"; docs/strategies.md, "Heads" and "MagFace").
public enum EmbedStrategy: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// L2 norm of `feature`: confidence.
    case embNorm = "emb_norm"
    /// Same value as `emb_norm`, for MagFace backbones (use `scale` preprocessing): confidence.
    case magface
    /// ScaleFace scale predictor (`scale_predictor` section, MLPHead) on the bottleneck: confidence.
    case scale
    /// The `head` section, whichever of the four heads it holds (PFEHead, PFEHeadAdjustable,
    /// PFEHeadAdjustableSpectralSimple: 512 values; ProbHead: one): `sigma^2 = exp(log sigma^2)`,
    /// uncertainty.
    case head
    /// `‖feature‖₂` of the `uncertainty_model` section (MagFace) on `p / 255`: confidence.
    case backboneUncertaintyModel = "backbone+uncertainty_model"
    /// Nothing per image: the pair classifier is kept in the store for the `classifier`
    /// metrics (docs/store.md, "The pair classifier"; Embed/EmbedClassifier.swift).
    case classifier
    /// `-D(x)` of a StyleGAN2 discriminator on the uncropped image (`embed --discriminator`,
    /// computed by `GANPass`, docs/strategies.md, GAN): uncertainty.
    case gan = "GAN"
    /// The scale predictor on the Gaussian-blurred image (`embed --blur-intensity`, computed
    /// by a second backbone pass, `BlurredPass`; docs/strategies.md, "blurred_scale"): confidence.
    case blurredScale = "blurred_scale"

    public var isConfidence: Bool { self != .head && self != .gan }
    /// Whether the value comes from the backbone's output on the unblurred batch
    /// (`EmbeddingModel.values(of:_:)`).
    public var fromBackboneOutput: Bool { self != .gan && self != .blurredScale }
    /// Whether the strategy needs the `scale_predictor` section.
    public var usesScalePredictor: Bool { self == .scale || self == .blurredScale }
}

/// A backbone and the heads the requested strategies need, assembled from a checkpoint.
/// Reference checkpoints nest sections (`backbone`, `head`, `scale_predictor`,
/// `uncertainty_model`); InsightFace's `backbone.pth` is a bare state dict (a DataParallel
/// `module.` prefix is accepted too); MagFace checkpoints keep MagFace's key layout
/// (`BackboneSection`).
public struct EmbeddingModel: Sendable {
    public let arch: String
    public let backbone: IResNet
    public let heads: UncertaintyHeads
    /// The `uncertainty_model` network of strategy `backbone+uncertainty_model`.
    let uncertaintyModel: UncertaintyModel?
    /// How the backbone's input is standardised (the uncertainty model re-standardises it).
    public let preprocess: Preprocess

    /// `inputSize` is the aligned crop size (112 for every published model); stage widths and
    /// embedding size come from the checkpoint's shapes. `headKind` (a config's `head.name`)
    /// is checked against the `head` section's keys; a reference model `config` is checked
    /// against what the checkpoint holds (docs/model-configs.md).
    public init(checkpoint path: String, arch: String, strategies: [EmbedStrategy],
                scaleActivation: ScaleActivation = .exp, scaleCoefficient: Float = 64, inputSize: Int = 112,
                preprocess: Preprocess = .meanScale, headKind: HeadKind? = nil,
                config: ReferenceModelConfig? = nil) throws {
        let modelConfig = config
        guard var config = IResNetConfig(arch: arch) else {
            throw InputError(file: path, "unknown architecture '\(arch)' (expected one of \(IResNetConfig.archNames.joined(separator: ", ")), optionally with _normalized)")
        }
        self.arch = arch
        self.preprocess = preprocess
        let weights = try WeightsFile.load(path: path)
        if !weights.hasSection("backbone"), ["scale_predictor", "head", "uncertainty_model"].contains(where: weights.hasSection) {
            throw InputError(file: path, "has head sections but no 'backbone' section")
        }
        let body = BackboneSection(weights, section: "backbone")
        config.inputSize = inputSize
        config = config.inferringWidths(from: body.weights)
        backbone = try IResNet(config: config, weights: body.weights, prefix: body.prefix)
        try modelConfig?.checkBackbone(embeddingSize: config.embeddingSize, checkpoint: path)
        let bottleneck = config.bottleneckWidth, name = "the \(arch) bottleneck"
        var heads = UncertaintyHeads()
        if let s = strategies.first(where: \.usesScalePredictor) {
            guard let found = UncertaintyHeads.find([(path, weights)], section: "scale_predictor") else {
                throw InputError(file: path, "strategy '\(s.rawValue)' needs a 'scale_predictor' section (a ScaleFace checkpoint); this checkpoint has none")
            }
            try modelConfig?.checkScalePredictor(found)
            heads.scale = try UncertaintyHeads.scaleHead(found, activation: scaleActivation, coefficient: scaleCoefficient,
                                                         bottleneck: bottleneck, bottleneckName: name)
        }
        if strategies.contains(.head) {
            guard let found = UncertaintyHeads.find([(path, weights)], section: "head") else {
                throw InputError(file: path, "strategy 'head' needs a 'head' section (a PFE or ProbFace checkpoint); this checkpoint has none")
            }
            heads.variance = try UncertaintyHeads.varianceHead(found, expected: headKind ?? modelConfig?.head?.kind,
                                                               bottleneck: bottleneck, bottleneckName: name)
            try modelConfig?.checkHead(held: heads.variance!.kind, found)
        }
        self.heads = heads
        uncertaintyModel = strategies.contains(.backboneUncertaintyModel)
            ? try UncertaintyModel(checkpoint: path, weights: weights, inputSize: inputSize) : nil
    }

    /// Width of each strategy's per-image values.
    public func width(of s: EmbedStrategy) -> Int {
        switch s {
        case .embNorm, .magface, .backboneUncertaintyModel, .gan: return 1
        case .scale, .blurredScale: return heads.scale?.outFeatures ?? 1
        case .head: return heads.variance?.outFeatures ?? 512
        case .classifier: return 0  // not per image (EmbedOptions.perImageStrategies leaves it out)
        }
    }

    /// Per-image values `[n, width]` of a strategy for one backbone output; `input` is the
    /// batch the backbone ran on (the uncertainty model runs on it too). For `blurred_scale`
    /// `out` is the backbone's output on the blurred batch (`BlurredPass`).
    public func values(of s: EmbedStrategy, _ out: BackboneOutput, input: [Float], workspace: Workspace) -> [Float] {
        switch s {
        case .embNorm, .magface:
            return UncertaintyHeads.embeddingNorms(out.feature, rows: out.batch, width: backbone.config.embeddingSize)
        case .scale, .blurredScale:
            return heads.scaleValues(out.bottleneck, rows: out.batch)
        case .head:
            return heads.headValues(out.bottleneck, rows: out.batch)
        case .backboneUncertaintyModel:
            return uncertaintyModel!.values(input, batch: out.batch, preprocess: preprocess, workspace: workspace)
        case .classifier:  // not per image: never asked (EmbedOptions.perImageStrategies)
            return []
        case .gan:
            preconditionFailure("GAN values come from the discriminator (GANPass), not from the backbone output")
        }
    }
}
