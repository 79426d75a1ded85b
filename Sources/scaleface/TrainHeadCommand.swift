import ArgumentParser
import Backbone
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

    @Option(help: "Embedding store with /bottleneck and /images/label.") var store: String
    @Option(help: "scale, pfe or embedding.") var kind: String
    @Option(help: "Passes over the data.") var epochs: Int
    @Option(help: "Images per batch.") var batch: Int
    @Option(help: "SGD learning rate.") var lr: Double
    @Option(help: "SGD momentum.") var momentum: Double = 0.9
    @Option(name: .customLong("weight-decay"), help: "SGD weight decay (L2, added to every gradient).") var weightDecay: Double = 5e-4
    @Option(help: "Seed of initialisation and batch order.") var seed: UInt64 = 0
    @Option(help: "Class centres [C, D] (.pth or .h5, tensor 'centers'), scale only; default: fit them with ArcFace.")
    var centers: String?
    @Option(name: .customLong("center-epochs"), help: "Epochs of the ArcFace centre fit.") var centerEpochs: Int = 5
    @Flag(name: .customLong("train-centers"), help: "Also update the centres with ArcFaceScale (scale).") var trainCenters = false
    @Option(help: "Comma-separated hidden widths (scale: MLPHead hidden layers; pfe: the first width).") var hidden: String = "512"
    @Flag(name: .customLong("no-batch-norm"), help: "MLPHead without batch norm (scale).") var noBatchNorm = false
    @Option(help: "Scale head output activation: exp, sigm, sigm_mul, sigm_sum, sigm_sum_mul, relu, lin.") var activation: String = "exp"
    @Option(help: "Coefficient c of the scale activations.") var coefficient: Float = 64
    @Option(name: .customLong("lambda-c"), help: "Weight of the PFE constraint loss.") var lambdaC: Double = 0.1
    @Option(name: .customLong("images-per-identity"), help: "PFE batches: images per identity (K).") var imagesPerIdentity: Int = 4
    @Option(name: .customLong("embedding-size"), help: "Embedding width (embedding).") var embeddingSize: Int = 512
    @Option(help: "Train the embedding layer on this many PCA-whitened components of the features, folded into fc afterwards; 0: raw features (embedding).")
    var whiten: Int = 512
    @Option(help: "Train only on the images this list names (one image key per line), e.g. a train split.")
    var subset: String?
    @Flag(help: "No progress on stderr.") var quiet = false
    @Option(help: "Output base name: writes OUT.pth, OUT.h5 and OUT-loss.png.") var out: String

    func run() throws {
        guard let k = TrainHeadKind(rawValue: kind) else {
            throw ValidationError("unknown --kind '\(kind)' (expected scale, pfe or embedding)")
        }
        guard let act = ScaleActivation(rawValue: activation) else {
            throw ValidationError("unknown --activation '\(activation)' (expected \(ScaleActivation.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let widths = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard widths.allSatisfy({ ($0 ?? 0) > 0 }) else { throw ValidationError("--hidden must be positive integers separated by commas") }
        guard centers == nil || k == .scale else { throw ValidationError("--centers applies to --kind scale only") }
        var stage = TrainHeadStage(store: store, kind: k,
                                   schedule: TrainingSchedule(epochs: epochs, batchSize: batch, learningRate: lr,
                                                              momentum: momentum, weightDecay: weightDecay, seed: seed),
                                   output: out)
        stage.centers = centers
        stage.centerEpochs = centerEpochs
        stage.trainCenters = trainCenters
        stage.hidden = widths.map { $0! }
        stage.batchNorm = !noBatchNorm
        stage.activation = act
        stage.coefficient = coefficient
        stage.lambdaC = lambdaC
        stage.imagesPerIdentity = imagesPerIdentity
        stage.embeddingSize = embeddingSize
        stage.whiten = whiten
        stage.quiet = quiet
        stage.subset = subset
        let result = try stage.run()
        if !quiet {
            let first = result.lossPerEpoch.first ?? .nan, last = result.lossPerEpoch.last ?? .nan
            print(String(format: "trained %@ head: loss %.4f -> %.4f over %d epochs; wrote %@, %@, %@", kind, first, last,
                         result.lossPerEpoch.count, stage.checkpointPath, stage.weightsPath, stage.plotPath))
        }
    }
}
