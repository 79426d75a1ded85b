import ArgumentParser
import Stages

struct RejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "TAR@FAR as the most uncertain image pairs are rejected (reject verification).",
        discussion: """
        Metrics are distance_uncertainty (docs/metrics.md), e.g. cosine_harmonic-harmonic, \
        MLS_mean, scale-mul-biased-cosine_mean. Writes OUT/results.json and OUT/results.csv.
        Example:
          scaleface reject --store lfw.h5 --pairs pairs.txt --pairs-format lfw --strategy scale \\
              --metrics cosine_mul,scale-mul-cosine_mul --fars 1e-3,1e-2 --portions 0:0.5:250 --out out/lfw
        """
    )

    @OptionGroup var options: RejectOptions
    @Option(help: "Output directory.") var out: String
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try RejectJob(options).run(out: out, log: progress.log)
    }
}
