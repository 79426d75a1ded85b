import Backbone
import Core
import Foundation

/// The model settings of an embed run (docs/model-configs.md, "embed --config"): each one from
/// its flag when given, else from the reference model config, else scaleface's default.
public struct EmbedModelSettings: Sendable, Equatable {
    public var arch: String
    public var scaleActivation: ScaleActivation
    public var scaleCoefficient: Float
    public var config: ReferenceModelConfig?
    /// One line per flag that overrides a value of the config.
    public var overrides: [String]

    /// Without a config: `iresnet50`, `exp`, 64.
    public static let defaults = (arch: "iresnet50", activation: ScaleActivation.exp, coefficient: Float(64))

    public init(arch: String?, scaleActivation: ScaleActivation?, scaleCoefficient: Float?,
                configPath: String?, strategies: [EmbedStrategy]) throws {
        var sections: Set<ReferenceModelConfig.Section> = []
        if strategies.contains(where: \.usesScalePredictor) { sections.insert(.scalePredictor) }
        if strategies.contains(.head) { sections.insert(.head) }
        let config = try configPath.map { try ReferenceModelConfig.load($0, sections: sections) }
        var notes: [String] = []
        func pick<T>(_ flag: T?, _ name: String, _ key: String, _ fromConfig: T?, _ fallback: T,
                     _ show: (T) -> String = { "\($0)" }) -> T {
            guard let flag else { return fromConfig ?? fallback }
            if let fromConfig, let config {
                notes.append("embed: \(name) \(show(flag)) overrides \(key) \(show(fromConfig)) of \(config.path)")
            }
            return flag
        }
        let s = config?.scalePredictor
        let a = pick(arch, "--arch", "backbone.name", config?.backbone.arch, Self.defaults.arch)
        let act = pick(scaleActivation, "--scale-activation", "scale_predictor.activation", s?.activation,
                       Self.defaults.activation, { $0.rawValue })
        let c = pick(scaleCoefficient, "--scale-coefficient", "scale_predictor.coefficient", s?.coefficient,
                     Self.defaults.coefficient)
        self.arch = a
        self.scaleActivation = act
        self.scaleCoefficient = c
        self.config = config
        overrides = notes
    }
}
