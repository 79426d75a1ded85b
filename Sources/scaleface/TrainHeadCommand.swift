import ArgumentParser
import Foundation
import Stages

struct TrainHeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-head",
        abstract: "Train a scale head, an uncertainty head, the embedding layer or a pair classifier from a store's features (backbone frozen).",
        discussion: """
        Reads /bottleneck, /embeddings and /images/label of STORE. --kind scale trains the \
        ScaleFace scale predictor (MLPHead [F, hidden..., 1], batch norm, exp) with ArcFaceScale \
        (m = 0.5) against class centres from --centers or fitted first with ArcFace (s = 64, \
        m = 0.5); --kind pfe trains the PFE head with the MLS loss on same-identity pairs plus \
        0.1 x the constraint loss (--loss prob: ProbLoss, adding 0.1 x the triplet term), in \
        batches of identities x --images-per-identity images; --head prob trains ProbFace's \
        head (scalar sigma^2), --head pfe-adjustable PFEHeadAdjustable; --kind embedding trains \
        fc + features and the class centres with ArcFace (--loss cosface, --loss angle for \
        SphereFace's AngleLoss; a demonstration model on a frozen trunk); --kind \
        pair-classifier trains --classifier smart_cosine / smart_cosine_initialized / \
        bilinear / mlp with cross-entropy on one random pair per identity and epoch. SGD \
        with momentum and weight decay, deterministic for --seed. Writes OUT.pth (PyTorch \
        state dicts under scale_predictor / head / backbone / pair_classifier, plus centers), \
        OUT.h5 (scaleface weights) and OUT-loss.png. See docs/training.md.
        Example:
          scaleface train-head --store train.h5 --kind scale --epochs 10 --batch 64 --lr 0.05 --out scale
          scaleface heads --store test.h5 --checkpoint scale.pth --strategies scale --out test-scale.h5
          scaleface train-head --store train.h5 --kind pfe --head prob --loss prob --lr 1e-4 --out probface
          scaleface train-head --store train.h5 --kind pair-classifier --classifier bilinear --lr 0.02 --out bilinear
        """
    )

    @OptionGroup var options: TrainHeadOptions
    @OptionGroup var progress: ProgressOptions
    @Option(help: "Output base name: writes OUT.pth, OUT.h5 and OUT-loss.png.") var out: String

    func run() throws {
        let stage = TrainHeadJob(options, output: out, quiet: progress.quiet)
        let result = try stage.run()
        if !progress.quiet {
            let first = result.lossPerEpoch.first ?? .nan, last = result.lossPerEpoch.last ?? .nan
            print(String(format: "trained %@ head: loss %.4f -> %.4f over %d epochs; wrote %@, %@, %@", options.kind.rawValue, first, last,
                         result.lossPerEpoch.count, stage.checkpointPath, stage.weightsPath, stage.plotPath))
        }
    }
}
