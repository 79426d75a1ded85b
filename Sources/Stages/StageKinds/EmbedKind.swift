import Foundation
import Pipeline

/// `kind: embed`: aligned crops through a backbone (and heads) into a store (`scaleface
/// embed`). With input `images` (a `synth` or `align` stage) the list, image folder, landmark
/// and label files are looked up in that artifact; otherwise they are paths relative to the
/// pipeline file. Artifact: store.h5 (and store.h5.skipped.txt with `skip_bad_images`).
public enum EmbedKind: StageKind {
    public typealias Options = EmbedOptions
    public static let kind = "embed"
    public static let version = 1
    public static let summary = "Embed aligned crops with a backbone (and heads) into a store."
    public static let inputs: [InputSpec] = [
        // Where `labels` is looked up, when the images come from an `align` stage.
        InputSpec("labels", accepts: [SynthKind.kind], optional: true, anchors: ["labels"]),
        InputSpec("images", accepts: [SynthKind.kind, AlignKind.kind], optional: true,
                  anchors: ["landmarks", "labels"],
                  provides: ["images": "aligned", "list": PicturesArtifact.list]),
        // A generated trunk instead of the `checkpoint` file.
        InputSpec("model", accepts: [InitWeightsKind.kind], optional: true,
                  provides: ["checkpoint": WeightsArtifact.file]),
    ]
    /// The working folder survives an interruption and the store in it resumes.
    public static let resumable = true
    /// A pipeline restarts a stage with `--force`.
    public static let reservedOptions: Set<String> = ["restart"]

    public static func run(_ options: EmbedOptions, in context: StageContext) throws {
        let n = try EmbedJob(options, output: context.output(StoreArtifact.file), quiet: context.quiet).run()
        context.log("\(n) images embedded")
    }
}
