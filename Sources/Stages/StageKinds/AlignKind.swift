import Core
import Foundation
import Pipeline

/// `kind: align`: 5-point alignment of raw pictures to crops (`scaleface align`). With input
/// `images` (a `synth` stage) the image folder and landmark file are looked up in that
/// artifact. Artifact: aligned/ (PNG crops) and paths.txt.
public enum AlignKind: StageKind {
    public typealias Options = AlignOptions
    public static let kind = "align"
    public static let version = 1
    public static let summary = "Align raw pictures by their five landmarks into crops."
    public static let inputs: [InputSpec] = [
        InputSpec("images", accepts: [SynthKind.kind], optional: true,
                  provides: ["images": "images", "landmarks": "landmarks.txt"]),
    ]

    public static func run(_ options: AlignOptions, in context: StageContext) throws {
        let folder = PicturesArtifact.folder(kind: kind)
        let n = try AlignJob(options, output: context.output(folder), quiet: context.quiet).run()
        try writeText(try String(contentsOfFile: context.output("\(folder)/\(PicturesArtifact.list)"), encoding: .utf8),
                      to: context.output(PicturesArtifact.list))
        context.log("\(n) images aligned")
    }
}
