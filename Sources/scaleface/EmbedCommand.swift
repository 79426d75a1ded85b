import ArgumentParser
import Stages

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed aligned 112 x 112 faces (PNG or JPEG) with an iResNet checkpoint into an embedding store.",
        discussion: """
        LIST holds image paths relative to --images, one per line; they become the store's \
        /images/path in list order. /embeddings holds the backbone's feature; each strategy \
        becomes /uncertainty/<name>: emb_norm (L2 norm of the feature) and scale (ScaleFace \
        scale predictor) are confidences, head (PFE sigma^2, 512 values) is an uncertainty, \
        GAN (-D(x) of the StyleGAN2 discriminator given by --discriminator, on the uncropped \
        image, per batch: use --batch 4 as the reference does) is an uncertainty.
        The checkpoint is a PyTorch .pth (bare state dict such as InsightFace's backbone.pth, \
        or a reference dict with backbone / scale_predictor / head) read without running any \
        pickled code, or a scaleface weights .h5 (scaleface weights convert).
        --config takes a reference model config (YAML) for --arch, --scale-activation and \
        --scale-coefficient and checks the checkpoint against it; flags beside it override it \
        (docs/model-configs.md).
        Example:
          scaleface embed --images lfw-aligned --list lfw.txt --checkpoint backbone.pth \\
              --arch iresnet50 --strategies emb_norm --out lfw.h5
        """
    )

    @OptionGroup var options: EmbedOptions
    @Option(help: "Store to write (.h5); it appears only when complete. Rerunning an interrupted command continues it.")
    var out: String
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let n = try EmbedJob(options, output: out, quiet: progress.quiet).run()
        if !progress.quiet { print("embedded \(n) images into \(out)") }
    }
}
