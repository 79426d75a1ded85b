import Foundation
import Pipeline

/// `kind: heads`: applies trained heads to a store's bottleneck features (`scaleface heads`);
/// the heads come from `train-head` stages given as inputs `head`, `head2`, ...
/// Artifact: store.h5 (the input store plus the new strategies).
public enum HeadsKind: StageKind {
    public typealias Options = HeadsOptions
    public static let kind = "heads"
    public static let version = 1
    public static let summary = "Apply trained heads to a store's bottleneck features."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreArtifact.kinds, optional: true, provides: ["store": StoreArtifact.file]),
        InputSpec("head*", accepts: [TrainHeadStageKind.kind]),
    ]
    /// The checkpoints are the `head*` inputs' artifacts.
    public static let reservedOptions: Set<String> = ["checkpoint"]

    public static func run(_ options: HeadsOptions, in context: StageContext) throws {
        var options = options
        options.checkpoint = try context.inputOrder.filter { $0.hasPrefix("head") }.map {
            InputFile(path: try context.input($0).appendingPathComponent(HeadArtifact.checkpoint).path)
        }
        try HeadsJob(options, output: context.output(StoreArtifact.file), quiet: context.quiet).run()
    }
}
