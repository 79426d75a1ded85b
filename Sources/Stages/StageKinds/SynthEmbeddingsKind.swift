/// `kind: synth-embeddings`: a labelled synthetic embedding set (see `SyntheticEmbeddings`).
/// Artifact: paths.txt, embeddings.npy, confidence.npy, labels.npy, pairs.csv.
public enum SynthEmbeddingsKind: StageKind {
    public static let kind = "synth-embeddings"
    public static let version = 1
    public static let summary = "Generate labelled synthetic embeddings with a per-image confidence."
    public static let inputs: [InputSpec] = []
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("identities", .int, default: .int(200), help: "number of identities"),
        ParameterSpec("images_per_identity", .int, default: .int(6), help: "images per identity"),
        ParameterSpec("dimension", .int, default: .int(512), help: "embedding dimension"),
        ParameterSpec("seed", .int, default: .int(1), help: "random seed"),
    ]

    public static func run(_ context: StageContext) throws {
        guard context.int("identities") >= 2, context.int("images_per_identity") >= 2, context.int("dimension") >= 1 else {
            throw InputError(file: context.stageName, "need at least 2 identities, 2 images per identity and dimension 1")
        }
        try SyntheticEmbeddings(identities: context.int("identities"), imagesPerIdentity: context.int("images_per_identity"),
                                dimension: context.int("dimension"), seed: UInt64(context.int("seed")))
            .write(to: context.output.path)
    }
}
