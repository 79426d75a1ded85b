import Backbone
import Foundation

/// `scaleface weights init` and `kind: init-weights`: random iResNet weights
/// (`IResNetInitializer`) written as scaleface weights (`.h5`) or a PyTorch state dict (`.pth`).
public enum WeightsInitJob {
    /// The network an `--arch` and comma-separated `--widths` describe; errors name the option.
    public static func config(arch: String, widths: String, inputSize: Int, embeddingSize: Int) throws -> IResNetConfig {
        guard var c = IResNetConfig(arch: arch) else {
            throw InputError(file: "--arch", "unknown architecture '\(arch)' (known: \(IResNetConfig.archNames.joined(separator: ", ")))")
        }
        let parts = widths.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, values.count == 4, values.allSatisfy({ $0 > 0 }) else {
            throw InputError(file: "--widths", "'\(widths)' is not four positive channel counts, e.g. 64,128,256,512")
        }
        guard inputSize >= 16, inputSize <= 1024 else {
            throw InputError(file: "--input-size", "\(inputSize) is outside 16...1024")
        }
        guard embeddingSize > 0 else { throw InputError(file: "--embedding-size", "must be positive") }
        c.widths = values
        c.inputSize = inputSize
        c.embeddingSize = embeddingSize
        return c
    }

    /// Writes the weights atomically and returns the number of tensors.
    @discardableResult
    public static func write(config: IResNetConfig, seed: UInt64, to path: String) throws -> Int {
        let weights = IResNetInitializer.weights(config: config, seed: seed)
        if path.hasSuffix(".pth") {
            try CheckpointWriter.write(CheckpointWriter.stateDict(weights), to: path)
        } else {
            try WeightsFile.write(weights, to: path, source: weights.source)
        }
        return weights.names.count
    }
}
