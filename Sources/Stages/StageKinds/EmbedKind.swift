import Backbone
import Foundation

/// `kind: embed`: aligned crops through a backbone (and heads) into a store (`scaleface
/// embed`). With input `images` (a `synth` stage) the list and the image root are looked up
/// in that artifact; otherwise they are paths relative to the pipeline file.
/// Artifact: store.h5.
public enum EmbedKind: StageKind {
    public static let kind = "embed"
    public static let version = 1
    public static let summary = "Embed aligned crops with a backbone (and heads) into a store."
    public static let inputs: [InputSpec] = [
        InputSpec("images", accepts: [SynthKind.kind, AlignKind.kind], optional: true),
        // Where `labels` is looked up, when the images come from an `align` stage.
        InputSpec("labels", accepts: [SynthKind.kind], optional: true),
        // A generated trunk instead of the `checkpoint` file.
        InputSpec("model", accepts: [InitWeightsKind.kind], optional: true),
    ]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("images", .string, default: .string("aligned"), help: "folder the list's paths are relative to"),
        ParameterSpec("list", .string, default: .string("paths.txt"), help: "image list, one path per line"),
        ParameterSpec("checkpoint", .string, default: .string(""), isFile: true,
                      help: "PyTorch .pth or scaleface weights .h5 (relative to the pipeline file); or input `model`"),
        ParameterSpec("arch", .string, default: .string("iresnet50"), help: "iresnet18/34/50/100[_normalized]"),
        ParameterSpec("strategies", .strings, default: .list([.string("emb_norm")]), help: "emb_norm, magface, scale, head"),
        ParameterSpec("preprocess", .string, default: .string("mean_scale"), help: "mean_scale or scale"),
        ParameterSpec("batch", .int, default: .int(16), help: "images per forward pass"),
        ParameterSpec("scale_activation", .string, default: .string("exp"), help: "scale head activation"),
        ParameterSpec("scale_coefficient", .double, default: .double(64), help: "scale activation coefficient"),
        ParameterSpec("keep_bottleneck", .bool, default: .bool(false), help: "store /bottleneck for train-head and heads"),
        ParameterSpec("landmarks", .string, default: .string(""), help: "landmark file: align raw images on the fly"),
        ParameterSpec("input_size", .int, default: .int(112), help: "crop side the network takes"),
        ParameterSpec("labels", .string, default: .string(""), help: "identity labels per listed image (.npy or text), optional"),
        ParameterSpec("skip_bad_images", .bool, default: .bool(false), help: "leave out unreadable images (listed in store.h5.skipped.txt)"),
    ]
    /// The working folder survives an interruption and the store in it resumes.
    public static let resumable = true

    public static func run(_ c: StageContext) throws {
        let base = c.inputs["images"] ?? c.baseDirectory
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        let strategies = try c.strings("strategies").map { name -> EmbedStrategy in
            guard let s = EmbedStrategy(rawValue: name) else {
                throw InputError(file: c.stageName, "unknown strategy '\(name)' (known: \(EmbedStrategy.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return s
        }
        guard let preprocess = Preprocess(rawValue: c.string("preprocess")) else {
            throw InputError(file: c.stageName, "parameter 'preprocess' is '\(c.string("preprocess"))', expected mean_scale or scale")
        }
        guard let activation = ScaleActivation(rawValue: c.string("scale_activation")) else {
            throw InputError(file: c.stageName, "unknown scale activation '\(c.string("scale_activation"))'")
        }
        let checkpoint: String
        if let model = c.inputs["model"] {
            checkpoint = model.appendingPathComponent("weights.h5").path
        } else {
            guard c.optionalString("checkpoint") != nil else {
                throw InputError(file: c.stageName, "needs parameter 'checkpoint' or input 'model'")
            }
            checkpoint = c.file("checkpoint")
        }
        var stage = EmbedStage(imagesRoot: resolve(c.string("images")), listPath: resolve(c.string("list")),
                               checkpoint: checkpoint, arch: c.string("arch"), strategies: strategies,
                               preprocess: preprocess, batchSize: c.int("batch"), scaleActivation: activation,
                               scaleCoefficient: Float(c.double("scale_coefficient")),
                               output: c.output("store.h5"), quiet: c.quiet)
        stage.keepBottleneck = c.bool("keep_bottleneck")
        stage.landmarks = c.optionalString("landmarks").map(resolve)
        stage.inputSize = c.int("input_size")
        stage.skipBadImages = c.bool("skip_bad_images")
        stage.labels = c.optionalString("labels").map { name in
            name.hasPrefix("/") ? name : (c.inputs["labels"] ?? base).appendingPathComponent(name).path
        }
        let n = try stage.run()
        c.log("\(n) images embedded")
    }
}
