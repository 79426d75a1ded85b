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
    @Option var identities = 200
    @Option(name: .customLong("images-per-identity")) var imagesPerIdentity = 6
    @Option var dimension = 512
    @Option var seed: UInt64 = 1

    func validate() throws {
        guard identities >= 2, imagesPerIdentity >= 2, dimension >= 1 else {
            throw ValidationError("need at least 2 identities, 2 images per identity and dimension 1")
        }
    }

    func run() throws {
        try SyntheticEmbeddings(identities: identities, imagesPerIdentity: imagesPerIdentity,
                                dimension: dimension, seed: seed).write(to: out)
        print("wrote \(identities * imagesPerIdentity) synthetic embeddings to \(out)")
    }
}
