import Foundation
import Pipeline

/// `kind: fusion`: template fusion and template verification on an IJB-C style protocol
/// (`scaleface fusion`). Artifact: results.json, results.csv, figures/, figures.json.
public enum FusionKind: StageKind {
    public typealias Options = FusionOptions
    public static let kind = "fusion"
    /// 3: with --equal-uncertainty-enroll and reject metrics, figures/template_vs_single.png.
    public static let version = 3
    public static let summary = "Template fusion, template verification and template reject curves (IJB-C)."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreArtifact.kinds, optional: true, provides: ["store": StoreArtifact.file]),
        InputSpec("protocol", accepts: [SynthKind.kind], optional: true, provides: ["protocol": "protocol/insightface"]),
    ]

    public static func run(_ options: FusionOptions, in context: StageContext) throws {
        try FusionJob(options).run(out: context.output.path, log: context.log)
        try EvaluationFigureManifest.write(context.output)
    }
}
