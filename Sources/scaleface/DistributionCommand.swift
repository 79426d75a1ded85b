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

    @OptionGroup var options: DistributionOptions
    @Option(help: "Output directory.") var out: String

    func run() throws {
        let figures = try DistributionJob(options, output: out).run(log: { print($0) })
        print("wrote \(figures.count) figures to \(out)")
    }
}
