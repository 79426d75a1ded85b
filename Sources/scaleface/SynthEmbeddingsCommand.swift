import ArgumentParser
import Stages

struct SynthEmbeddingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-embeddings",
        abstract: "Generate a small labelled embedding set (no images) with a per-image confidence.",
        discussion: """
        Writes paths.txt, embeddings.npy, confidence.npy, labels.npy and pairs.csv. Noise grows \
        as confidence falls, so these arrays exercise import, reject curves and fusion quickly.
        Example:
          scaleface synth-embeddings --out demo-data --identities 200 --images-per-identity 6
        """
    )

    @Option(help: "Output directory.") var out: String
    @OptionGroup var options: SynthEmbeddingsOptions

    func run() throws {
        try options.generator.write(to: out)
        print("wrote \(options.identities * options.imagesPerIdentity) synthetic embeddings to \(out)")
    }
}
