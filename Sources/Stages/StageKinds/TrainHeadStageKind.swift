import Figures
import Foundation
import Pipeline

/// `kind: train-head`: trains the scale head, an uncertainty head (PFE, ProbFace,
/// PFE-adjustable), the embedding layer or a pair classifier from a store's bottleneck
/// features or embeddings (`scaleface train-head`; options `loss`, `head`, `classifier`,
/// `margin`, `lambda_id`, `p_same` as its flags). With input `split` (a `synth`
/// stage), `subset` names a list file in it; with input `centers` (an `embedding` stage), a
/// scale head uses its trained class centres. Artifact: head.pth, head.h5, head-loss.png.
public enum TrainHeadStageKind: StageKind {
    public typealias Options = TrainHeadOptions
    public static let kind = "train-head"
    /// 2: `loss`, `head`, `classifier` (pair classifiers), `margin`, `lambda_id`, `p_same`.
    public static let version = 2
    public static let summary = "Train a scale head, PFE / ProbFace head, embedding layer or pair classifier on stored features."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreArtifact.kinds, optional: true, provides: ["store": StoreArtifact.file]),
        InputSpec("split", accepts: [SynthKind.kind], optional: true, anchors: ["subset"]),
        // Class centres of an embedding-layer stage, for a scale head.
        InputSpec("centers", accepts: [TrainHeadStageKind.kind], optional: true,
                  provides: ["centers": HeadArtifact.checkpoint]),
    ]

    public static func run(_ options: TrainHeadOptions, in context: StageContext) throws {
        let model = try TrainHeadJob(options, output: context.output("head"), quiet: context.quiet).run()
        if let last = model.lossPerEpoch.last { context.log("final epoch loss \(last)") }
        let kind = options.kind.rawValue
        try FigureEntry.writeManifest([FigureEntry(file: "head-loss.png", title: "Training loss (\(kind))",
                                                   caption: "Mean loss per epoch of `train-head --kind \(kind)`.")],
                                      to: context.output.path)
    }
}
