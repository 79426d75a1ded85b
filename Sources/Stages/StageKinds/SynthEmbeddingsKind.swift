import Datasets
import Pipeline

/// `kind: synth-embeddings`: a labelled synthetic embedding set (see `SyntheticEmbeddings`).
/// Artifact: paths.txt, embeddings.npy, confidence.npy, labels.npy, pairs.csv.
public enum SynthEmbeddingsKind: StageKind {
    public typealias Options = SynthEmbeddingsOptions
    public static let kind = "synth-embeddings"
    public static let version = 1
    public static let summary = "Generate labelled synthetic embeddings with a per-image confidence."
    public static let inputs: [InputSpec] = []

    public static func run(_ options: SynthEmbeddingsOptions, in context: StageContext) throws {
        try options.generator.write(to: context.output.path)
    }
}
