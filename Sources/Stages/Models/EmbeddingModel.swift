import ArgumentParser
import Core
import Checkpoint
import Backbone
import Foundation

/// What `embed` computes per image, by the reference's strategy names (docs/backbone.md, "Networks").
public enum EmbedStrategy: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// L2 norm of `feature`: confidence.
    case embNorm = "emb_norm"
    /// Same value as `emb_norm`, for MagFace backbones (use `scale` preprocessing): confidence.
    case magface
    /// ScaleFace scale predictor (`scale_predictor` section, MLPHead) on the bottleneck: confidence.
    case scale
    /// PFE head (`head` section): `sigma^2 = exp(log sigma^2)`, 512 values: uncertainty.
    case head
    /// `-D(x)` of a StyleGAN2 discriminator on the uncropped image (`embed --discriminator`,
    /// computed by `GANPass`, docs/strategies.md, GAN): uncertainty.
    case gan = "GAN"

    public var isConfidence: Bool { self != .head && self != .gan }
    /// Whether the value comes from the backbone's output (`EmbeddingModel.values(of:_:)`).
    public var fromBackboneOutput: Bool { self != .gan }
}

/// A backbone and the heads the requested strategies need, assembled from a checkpoint.
/// Reference checkpoints nest sections (`backbone`, `head`, `scale_predictor`); InsightFace's
/// `backbone.pth` is a bare state dict (a DataParallel `module.` prefix is accepted too).
public struct EmbeddingModel: Sendable {
    public let arch: String
    public let backbone: IResNet
    public let heads: UncertaintyHeads

    /// `inputSize` is the aligned crop size (112 for every published model); stage widths and
    /// embedding size come from the checkpoint's shapes.
    public init(checkpoint path: String, arch: String, strategies: [EmbedStrategy],
                scaleActivation: ScaleActivation = .exp, scaleCoefficient: Float = 64, inputSize: Int = 112) throws {
        guard var config = IResNetConfig(arch: arch) else {
            throw InputError(file: path, "unknown architecture '\(arch)' (expected one of \(IResNetConfig.archNames.joined(separator: ", ")), optionally with _normalized)")
        }
        self.arch = arch
        let weights = try WeightsFile.load(path: path)
        let nested = weights.hasSection("backbone")
        var body = nested ? weights.section("backbone") : weights
        if !nested, body.names.allSatisfy({ $0.hasPrefix("module.") }), !body.names.isEmpty {
            body = body.section("module")
        }
        if !nested, weights.hasSection("scale_predictor") || weights.hasSection("head") {
            throw InputError(file: path, "has head sections but no 'backbone' section")
        }
        config.inputSize = inputSize
        config = config.inferringWidths(from: body)
        backbone = try IResNet(config: config, weights: body, prefix: nested ? "backbone" : "")
        let bottleneck = config.bottleneckWidth, name = "the \(arch) bottleneck"
        var heads = UncertaintyHeads()
        if strategies.contains(.scale) {
            guard let found = UncertaintyHeads.find([(path, weights)], section: "scale_predictor") else {
                throw InputError(file: path, "strategy 'scale' needs a 'scale_predictor' section (a ScaleFace checkpoint); this checkpoint has none")
            }
            heads.scale = try UncertaintyHeads.scaleHead(found, activation: scaleActivation, coefficient: scaleCoefficient,
                                                         bottleneck: bottleneck, bottleneckName: name)
        }
        if strategies.contains(.head) {
            guard let found = UncertaintyHeads.find([(path, weights)], section: "head") else {
                throw InputError(file: path, "strategy 'head' needs a 'head' section (a PFE checkpoint); this checkpoint has none")
            }
            heads.pfe = try UncertaintyHeads.pfeHead(found, bottleneck: bottleneck, bottleneckName: name)
        }
        self.heads = heads
    }

    /// Width of each strategy's per-image values.
    public func width(of s: EmbedStrategy) -> Int {
        switch s {
        case .embNorm, .magface, .gan: return 1
        case .scale: return heads.scale?.outFeatures ?? 1
        case .head: return heads.pfe?.outFeatures ?? 512
        }
    }

    /// Per-image values `[n, width]` of a strategy for one backbone output (`fromBackboneOutput`).
    public func values(of s: EmbedStrategy, _ out: BackboneOutput) -> [Float] {
        switch s {
        case .embNorm, .magface:
            return UncertaintyHeads.embeddingNorms(out.feature, rows: out.batch, width: backbone.config.embeddingSize)
        case .scale:
            return heads.scaleValues(out.bottleneck, rows: out.batch)
        case .head:
            return heads.pfeValues(out.bottleneck, rows: out.batch)
        case .gan:
            preconditionFailure("GAN values come from the discriminator (GANPass), not from the backbone output")
        }
    }
}
