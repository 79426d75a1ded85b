import ArgumentParser
import Backbone
import Foundation
import Stages

struct HeadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heads",
        abstract: "Apply trained scale / PFE heads to a store's bottleneck features and write the store with their uncertainties.",
        discussion: """
        scale writes /uncertainty/scale (the scale predictor's output, a confidence); head \
        writes /uncertainty/head (PFE sigma^2, an uncertainty). Heads are read from the \
        checkpoints' scale_predictor / head sections (train-head output, reference \
        checkpoints) or from bare MLPHead / PFEHead state dicts. The new store is a copy of \
        STORE with these strategies added or replaced; without --out STORE itself is replaced \
        (atomically, once the copy is complete). --embedding-layer also recomputes /embeddings \
        with a trained embedding layer (train-head --kind embedding: fc + features) and emb_norm \
        from them.
        Example:
          scaleface heads --store test.h5 --checkpoint scale.pth --checkpoint pfe.pth --strategies scale,head --out test2.h5
        """
    )

    @Option(help: "Embedding store with /bottleneck.") var store: String
    @Option(help: "Checkpoint (.pth or scaleface weights .h5); repeat for several.") var checkpoint: [String]
    @Option(help: "Comma-separated: scale, head (emb_norm with --embedding-layer).") var strategies: String = ""
    @Flag(name: .customLong("embedding-layer"), help: "Recompute /embeddings with the checkpoint's embedding layer (fc + features).")
    var embeddingLayer = false
    @Option(help: "Scale head output activation: exp, sigm, sigm_mul, sigm_sum, sigm_sum_mul, relu, lin.") var activation: String = "exp"
    @Option(help: "Coefficient c of the scale activations.") var coefficient: Float = 64
    @Flag(help: "No progress on stderr.") var quiet = false
    @Option(help: "Store to write (default: replace --store).") var out: String?

    func run() throws {
        let parsed = try strategies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { name -> EmbedStrategy in
            guard let s = EmbedStrategy(rawValue: name), s == .scale || s == .head || (s == .embNorm && embeddingLayer) else {
                throw ValidationError("unknown strategy '\(name)' for heads (expected scale, head; emb_norm with --embedding-layer)")
            }
            return s
        }
        guard let act = ScaleActivation(rawValue: activation) else { throw ValidationError("unknown --activation '\(activation)'") }
        var stage = HeadsStage(store: store, checkpoints: checkpoint, strategies: parsed, output: out ?? store)
        stage.activation = act
        stage.embeddingLayer = embeddingLayer
        stage.coefficient = coefficient
        stage.quiet = quiet
        let n = try stage.run()
        if !quiet {
            let what = (embeddingLayer ? ["embeddings"] : []) + parsed.map(\.rawValue)
            print("wrote \(what.joined(separator: ", ")) for \(n) images to \(out ?? store)")
        }
    }
}
