import Checkpoint
import Foundation

/// `scaleface weights convert`: a PyTorch checkpoint rewritten as scaleface's HDF5 weights
/// (docs/backbone.md), which load without the pickle reader.
public enum WeightsConvertJob {
    /// Returns the number of tensors written.
    @discardableResult
    public static func run(checkpoint: String, out: String) throws -> Int {
        let weights = try WeightsFile.load(path: checkpoint)
        try WeightsFile.write(weights, to: out, source: URL(fileURLWithPath: checkpoint).lastPathComponent)
        return weights.names.count
    }
}
