import Backbone
import Core
import Foundation
import Yams

/// A reference model config (the YAML of the reference's `configs/models/` and `configs/scale/`),
/// read as the reference's `get_required_models` reads it: the sections that choose the
/// networks (`backbone`, `head`, `scale_predictor`, `pair_classifier`), each a registry `name`
/// plus constructor arguments. Every other top-level key (training settings) is ignored, as
/// the reference ignores it. docs/model-configs.md lists every shipped config and what this
/// makes of it.
///
/// A value the reference would refuse (an argument its constructor does not take, a name its
/// registry lacks) is refused with a one-line error naming the file, line and key; so are values
/// scaleface does not compute (half precision, SphereNet), and unknown scale activations, which
/// the reference would silently treat as the identity.
public struct ReferenceModelConfig: Sendable, Equatable {
    /// The sections besides `backbone`, read only when a strategy needs them (as the reference
    /// builds a head only for strategy `head`, a scale predictor only for `scale`).
    public enum Section: String, Sendable, CaseIterable {
        case head
        case scalePredictor = "scale_predictor"
        case pairClassifier = "pair_classifier"
    }

    /// `backbone`: an iResNet of the reference's registry (`model_dict`).
    public struct BackboneSection: Sendable, Equatable {
        /// `backbone.name`: iresnet50, iresnet100 or iresnet50_normalized (scaleface's `--arch` names).
        public var arch: String
        /// `backbone.num_features`, the embedding width, when given.
        public var embeddingSize: Int?
    }

    /// `head`: an uncertainty head of the reference's `heads` registry.
    public struct HeadSection: Sendable, Equatable {
        public var kind: HeadKind
        /// `in_feat` (default 512).
        public var inFeat: Int
        /// `out_feat` (default 512; read by the two adjustable heads only).
        public var outFeat: Int
    }

    /// `scale_predictor`: the reference's `MLPHead` (its only entry of `scale_predictors`).
    public struct ScalePredictorSection: Sendable, Equatable {
        /// `num_feats`: input width, hidden widths, output width (default [512, 1]).
        public var numFeats: [Int]
        /// `batch_norm` (default true): BatchNorm1d(affine False) after each hidden Linear.
        public var batchNorm: Bool
        /// `activation` (default `lin`).
        public var activation: ScaleActivation
        /// `coefficient` (default 64).
        public var coefficient: Float
        /// Linear layers: `num_feats.count - 1`.
        public var linearLayers: Int { numFeats.count - 1 }
    }

    /// The file, for messages.
    public var path: String
    public var backbone: BackboneSection
    /// `head`, when read and not `null`.
    public var head: HeadSection?
    /// `scale_predictor`, when read.
    public var scalePredictor: ScalePredictorSection?
    /// `pair_classifier`, when read.
    public var pairClassifier: PairClassifierSection?

    /// Reads `path`; the sections in `sections` must be present (an error says which is missing).
    public static func load(_ path: String, sections: Set<Section> = []) throws -> ReferenceModelConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw InputError(file: path, "not UTF-8 text") }
        return try parse(text, path: path, sections: sections)
    }

    /// Reads config text; `path` names it in errors.
    public static func parse(_ text: String, path: String, sections: Set<Section> = []) throws -> ReferenceModelConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            let first = String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw InputError(file: path, "not valid YAML: \(first)")
        }
        guard let root, let top = root.mapping else {
            throw InputError(file: path, line: root?.mark?.line, "expected a mapping with a 'backbone' section (a reference model config)")
        }
        let file = ConfigNode(path: path, key: "", node: root)
        func section(_ name: String) -> ConfigNode? { top[name].map { ConfigNode(path: path, key: name, node: $0) } }
        guard let b = section("backbone") else { throw file.error("no 'backbone' section (the reference always builds one)") }
        var config = ReferenceModelConfig(path: path, backbone: try BackboneSection(b))
        if sections.contains(.head) {
            guard let h = section("head"), !h.isNull else {
                throw file.error("no 'head' section\(top["head"] != nil ? " (head: null)" : ""), which strategies 'head' and 'classifier' need")
            }
            config.head = try HeadSection(h)
        }
        if sections.contains(.scalePredictor) {
            guard let s = section("scale_predictor"), !s.isNull else {
                let hint = top["scale_predictior"] != nil ? " (the file spells it 'scale_predictior', which the reference does not read either)" : ""
                throw file.error("no 'scale_predictor' section\(hint), which strategy 'scale' needs")
            }
            config.scalePredictor = try ScalePredictorSection(s)
        }
        if sections.contains(.pairClassifier) {
            guard let p = section("pair_classifier"), !p.isNull else {
                throw file.error("no 'pair_classifier' section, which strategy 'classifier' needs")
            }
            config.pairClassifier = try PairClassifierSection(p)
        }
        return config
    }
}

extension ReferenceModelConfig.BackboneSection {
    /// Registry names scaleface builds; the rest of `model_dict` is refused with the reason.
    static let supported = ["iresnet50", "iresnet100", "iresnet50_normalized"]
    static let unsupported = [
        "iresnet50_spectral_normalized": "scaleface has no spectral-norm backbone",
        "spherenet20": "scaleface has no SphereNet backbone",
        "partial_fc": "PartialFC is a training classifier, not a backbone",
    ]

    init(_ s: ConfigNode) throws {
        let name = try s.string("name", default: nil)
        guard Self.supported.contains(name) else {
            if let why = Self.unsupported[name] { throw s.error(at: "name", "\(name): \(why)") }
            let hint = ["iresnet18", "iresnet34"].contains(name) ? " (it exists in the reference's code but is not registered: the reference raises KeyError)" : ""
            throw s.error(at: "name", "'\(name)' is not a backbone of the reference's registry\(hint); expected one of \(Self.supported.joined(separator: ", "))")
        }
        // iresnet50(pretrained, progress, **kwargs) -> IResNet(...): no other keyword is accepted.
        try s.onlyKeys(["name", "learnable", "pretrained", "progress", "dropout", "num_features", "zero_init_residual",
                        "groups", "width_per_group", "replace_stride_with_dilation", "fp16"], what: name)
        if try s.bool("pretrained", default: false) { throw s.error(at: "pretrained", "true: the reference's \(name) raises ValueError") }
        if try s.bool("fp16", default: false) {
            throw s.error(at: "fp16", "true (half-precision backbone): scaleface computes the backbone in float32 only")
        }
        guard try s.int("groups", default: 1) == 1, try s.int("width_per_group", default: 64) == 64 else {
            throw s.error("groups must be 1 and width_per_group 64 (the reference's IBasicBlock raises ValueError otherwise)")
        }
        if let d = s["replace_stride_with_dilation"], !d.isNull {
            guard let items = d.node.sequence, items.count == 3,
                  items.allSatisfy({ ConfigNode(path: s.path, key: d.key, node: $0).scalar == .bool(false) }) else {
                throw d.error("expected null or [false, false, false] (dilation is not supported by the reference's IBasicBlock)")
            }
        }
        let dropout = try s.number("dropout", default: 0)
        guard (0...1).contains(dropout) else { throw s.error(at: "dropout", "\(dropout) is not a probability (the reference raises ValueError)") }
        _ = try s.bool("zero_init_residual", default: false)
        arch = name
        embeddingSize = try s["num_features"].map { _ in try s.positiveInt("num_features", default: 512) }
    }
}

extension ReferenceModelConfig.HeadSection {
    init(_ s: ConfigNode) throws {
        let name = try s.string("name", default: nil)
        guard let kind = HeadKind(rawValue: name) else {
            throw s.error(at: "name", "'\(name)' is not a head of the reference's registry (expected one of \(HeadKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        // Every head takes **kwargs (learnable, criterion, ... are swallowed), so other keys are accepted.
        self.kind = kind
        inFeat = try s.positiveInt("in_feat", default: 512)
        outFeat = try s.positiveInt("out_feat", default: 512)
    }

    /// Input and output widths of the head the reference builds from these arguments.
    public var inFeatures: Int {
        switch kind {
        case .pfe: return inFeat * 6 * 7
        case .prob: return inFeat * 7 * 7
        case .pfeAdjustable, .pfeAdjustableSpectral: return inFeat
        }
    }

    public var outFeatures: Int {
        switch kind {
        case .pfe: return inFeat
        case .prob: return 1
        case .pfeAdjustable, .pfeAdjustableSpectral: return outFeat
        }
    }
}

extension ReferenceModelConfig.ScalePredictorSection {
    init(_ s: ConfigNode) throws {
        let name = try s.string("name", default: nil)
        guard name == "MLPHead" else {
            throw s.error(at: "name", "'\(name)' is not a scale predictor of the reference's registry (only MLPHead; the reference raises KeyError)")
        }
        // MLPHead(num_feats, batch_norm, activation, fp16, coefficient) takes no other keyword.
        try s.onlyKeys(["name", "num_feats", "batch_norm", "activation", "fp16", "coefficient"], what: "MLPHead")
        numFeats = try s.positiveInts("num_feats", default: [512, 1])
        guard numFeats.count >= 2 else { throw s.error(at: "num_feats", "needs at least two widths (input, output)") }
        batchNorm = try s.bool("batch_norm", default: true)
        let text = try s.string("activation", default: ScaleActivation.lin.rawValue)
        guard let a = ScaleActivation(rawValue: text) else {
            throw s.error(at: "activation", "'\(text)' is not an activation (expected one of \(ScaleActivation.allCases.map(\.rawValue).joined(separator: ", ")); the reference would silently use the identity)")
        }
        activation = a
        let c = try s.number("coefficient", default: 64)
        guard c.isFinite else { throw s.error(at: "coefficient", "must be a finite number") }
        coefficient = Float(c)
        if try s.bool("fp16", default: false) {
            throw s.error(at: "fp16", "true (half-precision scale predictor): scaleface computes the scale predictor in float32 only; embed without --config, giving --scale-activation, for a float32 evaluation")
        }
    }
}
