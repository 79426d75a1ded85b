import ArgumentParser
import Foundation
import Stages

struct TrainHeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-head",
        abstract: "Train a scale head, a PFE head or the embedding layer from a store's bottleneck features (backbone frozen).",
        discussion: """
        Reads /bottleneck, /embeddings and /images/label of STORE. --kind scale trains the \
        ScaleFace scale predictor (MLPHead [F, hidden..., 1], batch norm, exp) with ArcFaceScale \
        (m = 0.5) against class centres from --centers or fitted first with ArcFace (s = 64, \
        m = 0.5); --kind pfe trains the PFE head with the MLS loss on same-identity pairs plus \
        0.1 x the constraint loss, in batches of identities x --images-per-identity images; \
        --kind embedding trains fc + features and the class centres with ArcFace (a \
        demonstration model on a frozen trunk). SGD with momentum and weight decay, \
        deterministic for --seed. Writes OUT.pth (PyTorch state dicts under scale_predictor / \
        head / backbone, plus centers), OUT.h5 (scaleface weights) and OUT-loss.png. See docs/training.md.
        Example:
          scaleface train-head --store train.h5 --kind scale --epochs 10 --batch 64 --lr 0.05 --out scale
          scaleface heads --store test.h5 --checkpoint scale.pth --strategies scale --out test-scale.h5
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
