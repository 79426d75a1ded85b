import ArgumentParser
import Foundation
import Stages

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a synthetic face dataset with landmarks, graded degradations and evaluation protocols.",
        discussion: """
        Writes DIR/images/<subject>/<subject>_<nnnn>.png (raw, unaligned), landmarks.txt, \
        severity.csv, paths.txt, labels.txt, labels.npy, splits/{train,test}.txt, pairs.csv, \
        pairs.txt (LFW layout) and protocol/{reference,ijbc,insightface}/ (IJB-C layouts). \
        Paths in every file are relative to DIR/images. See docs/synthetic.md.
        Example:
          scaleface synth --out data/synth --identities 200 --images-per-identity 10 --seed 7
        """
    )

    @Option(help: "Output directory (must not exist or be empty).") var out: String
    @OptionGroup var options: SynthOptions
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let start = Date()
        let summary = try SynthJob(options).run(out: out, quiet: progress.quiet)
        for line in summary.lines { print(line) }
        print(String(format: "wrote %@ in %.1f s", out, Date().timeIntervalSince(start)))
    }
}
