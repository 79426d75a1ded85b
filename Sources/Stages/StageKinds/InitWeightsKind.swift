import Foundation
import Pipeline

/// `kind: init-weights`: deterministic random iResNet weights (`scaleface weights init`), the
/// frozen trunk of the demonstration model. Artifact: weights.h5.
public enum InitWeightsKind: StageKind {
    public typealias Options = WeightsInitOptions
    public static let kind = "init-weights"
    public static let version = 1
    public static let summary = "Random iResNet weights for a seed: a frozen demonstration trunk."
    public static let inputs: [InputSpec] = []

    public static func run(_ options: WeightsInitOptions, in context: StageContext) throws {
        let n = try WeightsInitJob(options).write(to: context.output(WeightsArtifact.file))
        context.log("\(n) tensors, widths \(options.widths)")
    }
}
