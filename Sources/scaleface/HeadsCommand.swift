import ArgumentParser
import Foundation
import Stages

struct HeadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heads",
        abstract: "Apply trained scale / PFE / ProbFace heads to a store's bottleneck features and write the store with their uncertainties.",
        discussion: """
        scale writes /uncertainty/scale (the scale predictor's output, a confidence); head \
        writes /uncertainty/head (sigma^2, an uncertainty: 512 values for pfe_head, \
        pfe_head_adjustable and pfe_head_adjustable_spectral, one for prob_head; the kind is \
        recognised from the keys). Heads are read from the checkpoints' scale_predictor / head \
        sections (train-head output, reference checkpoints) or from bare MLPHead / head state dicts. The new store is a copy of \
        STORE with these strategies added or replaced; without --out STORE itself is replaced \
        (atomically, once the copy is complete). --embedding-layer also recomputes /embeddings \
        with a trained embedding layer (train-head --kind embedding: fc + features) and emb_norm \
        from them.
        Example:
          scaleface heads --store test.h5 --checkpoint scale.pth --checkpoint pfe.pth --strategies scale,head --out test2.h5
        """
    )

    @OptionGroup var options: HeadsOptions
    @OptionGroup var progress: ProgressOptions
    @Option(help: "Store to write (default: replace the input store).") var out: String?

    func run() throws {
        let output = out ?? options.store.path
        let n = try HeadsJob(options, output: output, quiet: progress.quiet).run()
        if !progress.quiet {
            let what = (options.embeddingLayer ? ["embeddings"] : []) + options.strategies.items.map(\.rawValue)
            print("wrote \(what.joined(separator: ", ")) for \(n) images to \(output)")
        }
    }
}
