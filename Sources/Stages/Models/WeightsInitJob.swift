import ArgumentParser
import Backbone
import Checkpoint
import Foundation
import Pipeline

/// The options of `scaleface weights init` and of `kind: init-weights`.
public struct WeightsInitOptions: ParsableArguments, Sendable {
    @Option(help: "iresnet18, iresnet34, iresnet50 or iresnet100.")
    public var arch = "iresnet18"
    @Option(help: "Channels of the four stages, comma-separated.")
    public var widths: CommaList<Int> = [64, 128, 256, 512]
    @Option(help: "Crop side the network takes.")
    public var inputSize = 112
    @Option(help: "Embedding width (fc outputs).")
    public var embeddingSize = 512
    @Option(help: "Random seed.")
    public var seed: UInt64 = 1

    public init() {}

    public func validate() throws { _ = try config() }

    /// The network these options describe; errors name the option neutrally.
    public func config() throws -> IResNetConfig {
        guard var c = IResNetConfig(arch: arch) else {
            throw ValidationError("unknown architecture '\(arch)' (known: \(IResNetConfig.archNames.joined(separator: ", ")))")
        }
        guard widths.items.count == 4, widths.items.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("widths '\(widths)' are not four positive channel counts, e.g. 64,128,256,512")
        }
        guard inputSize >= 16, inputSize <= 1024 else { throw ValidationError("input size \(inputSize) is outside 16...1024") }
        guard embeddingSize > 0 else { throw ValidationError("the embedding size must be positive") }
        c.widths = widths.items
        c.inputSize = inputSize
        c.embeddingSize = embeddingSize
        return c
    }
}

/// Random iResNet weights (`IResNetInitializer`) written as scaleface weights (`.h5`) or a
/// PyTorch state dict (`.pth`): `scaleface weights init` and `kind: init-weights`.
public struct WeightsInitJob {
    public var options: WeightsInitOptions

    public init(_ options: WeightsInitOptions) { self.options = options }

    /// Writes the weights atomically and returns the number of tensors.
    @discardableResult
    public func write(to path: String) throws -> Int {
        let weights = IResNetInitializer.weights(config: try options.config(), seed: options.seed)
        if path.hasSuffix(".pth") {
            try CheckpointWriter.write(CheckpointWriter.stateDict(weights), to: path)
        } else {
            try WeightsFile.write(weights, to: path, source: weights.source)
        }
        return weights.names.count
    }
}
