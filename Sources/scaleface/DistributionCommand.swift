import ArgumentParser
import Stages

struct DistributionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distribution",
        abstract: "Per-image uncertainty distribution: values (.npy), 50-bin histogram, decile image grids.",
        discussion: """
        For each strategy writes <name>.npy (one value per image in store order; vector strategies \
        are reduced by their harmonic mean), <name>_histogram.png and, with --images, \
        <name>_deciles.png showing random images from the most and least certain tenths.
        Example:
          scaleface distribution --store ijbc.h5 --strategies scale,emb_norm --images /data/ijbc/aligned --out dist/
        """
    )

    @Option(help: "The store.") var store: String
    @Option(help: "Comma-separated strategy names (default: all).") var strategies: String = ""
    @Option(help: "Dataset root for the image grids.") var images: String?
    @Option var bins = 50
    @Option var seed: UInt64 = 0
    @Option(help: "Output directory.") var out: String

    func run() throws {
        var job = DistributionJob(store: store, strategies: strategies.split(separator: ",").map(String.init),
                                  imageRoot: images, output: out)
        job.bins = bins
        job.seed = seed
        let figures = try job.run(log: { print($0) })
        print("wrote \(figures.count) figures to \(out)")
    }
}
