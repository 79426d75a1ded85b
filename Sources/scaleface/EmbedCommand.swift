import ArgumentParser
import Backbone
import Foundation
import Stages

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed aligned 112 x 112 faces (PNG or JPEG) with an iResNet checkpoint into an embedding store.",
        discussion: """
        LIST holds image paths relative to --images, one per line; they become the store's \
        /images/path in list order. /embeddings holds the backbone's feature; each strategy \
        becomes /uncertainty/<name>: emb_norm (L2 norm of the feature) and scale (ScaleFace \
        scale predictor) are confidences, head (PFE sigma^2, 512 values) is an uncertainty.
        The checkpoint is a PyTorch .pth (bare state dict such as InsightFace's backbone.pth, \
        or a reference dict with backbone / scale_predictor / head) read without running any \
        pickled code, or a scaleface weights .h5 (scaleface weights convert).
        Example:
          scaleface embed --images lfw-aligned --list lfw.txt --checkpoint backbone.pth \\
              --arch iresnet50 --strategies emb_norm --out lfw.h5
        """
    )

    @Option(help: "Folder the list's paths are relative to.") var images: String
    @Option(help: "Text file with one image path per line.") var list: String
    @Option(help: "PyTorch .pth checkpoint or scaleface weights .h5.") var checkpoint: String
    @Option(help: "iresnet18, iresnet34, iresnet50 or iresnet100 (append _normalized for the normalised variant).")
    var arch: String
    @Option(help: "Comma-separated: emb_norm, magface, scale, head.") var strategies: String = "emb_norm"
    @Option(help: "mean_scale ((p - 127.5) / 128) or scale (p / 255, MagFace).") var preprocess: String = "mean_scale"
    @Option(help: "Images per forward pass.") var batch: Int = 16
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Option(name: .customLong("scale-activation"),
            help: "Scale predictor output activation: exp, sigm, sigm_mul, sigm_sum, sigm_sum_mul, relu, lin.")
    var scaleActivation: String = "exp"
    @Option(name: .customLong("scale-coefficient"), help: "Coefficient c of the scale activations.")
    var scaleCoefficient: Float = 64
    @Flag(name: .customLong("keep-bottleneck"), help: "Also store the 25088-d bottleneck features (float16) for train-head and heads.")
    var keepBottleneck = false
    @Option(help: "Embed slice I of N contiguous slices of the list (I/N, 0-based); join the stores with `store merge`.")
    var shard: String?
    @Option(help: "InsightFace landmark file: the list names raw images, aligned on the fly (ArcFace template).")
    var landmarks: String?
    @Flag(help: "Discard the partial store of an interrupted run instead of continuing it.") var restart = false
    @Flag(name: .customLong("skip-bad-images"),
          help: "Leave out unreadable images, listed with the reason in OUT.skipped.txt, instead of stopping.")
    var skipBadImages = false
    @Option(help: "Identity labels, one per listed image (.npy or one integer per line); stored for train-head.")
    var labels: String?
    @Option(name: .customLong("input-size"), help: "Crop side the network takes (112 for every published model).")
    var inputSize = 112
    @Flag(help: "No progress on stderr.") var quiet = false
    @Option(help: "Store to write (.h5); it appears only when complete. Rerunning an interrupted command continues it.")
    var out: String

    func run() throws {
        let names = strategies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let parsed = try names.map { name -> EmbedStrategy in
            guard let s = EmbedStrategy(rawValue: name) else {
                throw ValidationError("unknown strategy '\(name)' (expected \(EmbedStrategy.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return s
        }
        guard let pre = Preprocess(rawValue: preprocess) else {
            throw ValidationError("unknown preprocessing '\(preprocess)' (expected mean_scale or scale)")
        }
        guard let activation = ScaleActivation(rawValue: scaleActivation) else {
            throw ValidationError("unknown scale activation '\(scaleActivation)'")
        }
        guard batch >= 1, (threads ?? 1) >= 1 else { throw ValidationError("--batch and --threads must be at least 1") }
        var stage = EmbedStage(imagesRoot: images, listPath: list, checkpoint: checkpoint, arch: arch,
                               strategies: parsed, preprocess: pre, batchSize: batch,
                               threads: threads ?? Threads.available, scaleActivation: activation,
                               scaleCoefficient: scaleCoefficient, output: out, quiet: quiet)
        stage.keepBottleneck = keepBottleneck
        stage.landmarks = landmarks
        stage.restart = restart
        stage.labels = labels
        stage.skipBadImages = skipBadImages
        stage.inputSize = inputSize
        if let shard {
            let parts = shard.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else {
                throw ValidationError("--shard takes I/N with 0 <= I < N, e.g. 0/4")
            }
            stage.shard = (i, n)
        }
        let n = try stage.run()
        if !quiet { print("embedded \(n) images into \(out)") }
    }
}
