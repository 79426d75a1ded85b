/// `kind: align`: 5-point alignment of every image of a landmark file (`scaleface align`).
/// With input `images` (a `synth` stage) the root is its `images/` and the landmark file its
/// `landmarks.txt`. Artifact: aligned/ (PNG crops) and paths.txt.
public enum AlignKind: StageKind {
    public static let kind = "align"
    public static let version = 1
    public static let summary = "Align images by their five landmarks onto a template."
    public static let inputs: [InputSpec] = [InputSpec("images", accepts: [SynthKind.kind], optional: true)]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("images", .string, default: .string("images"), help: "image root"),
        ParameterSpec("landmarks", .string, default: .string("landmarks.txt"), help: "InsightFace-layout landmark file"),
        ParameterSpec("template", .string, default: .string("arcface"), help: "arcface or reference"),
        ParameterSpec("size", .int, default: .int(112), help: "crop side"),
    ]

    public static func run(_ c: StageContext) throws {
        let base = c.inputs["images"] ?? c.baseDirectory
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        guard let template = AlignmentTemplate(rawValue: c.string("template")) else {
            throw InputError(file: c.stageName, "parameter 'template' is '\(c.string("template"))', expected arcface or reference")
        }
        var job = AlignJob(imagesRoot: resolve(c.string("images")), landmarks: resolve(c.string("landmarks")),
                           output: c.output("aligned"))
        job.template = template
        job.size = c.int("size")
        job.quiet = c.quiet
        let n = try job.run()
        try writeText(try String(contentsOfFile: c.output("aligned/paths.txt"), encoding: .utf8), to: c.output("paths.txt"))
        c.log("\(n) images aligned")
    }
}
