/// `kind: distribution`: per-strategy values, histograms and decile image grids of a store.
public enum DistributionKind: StageKind {
    public static let kind = "distribution"
    public static let version = 1
    public static let summary = "Uncertainty distribution: values, 50-bin histogram, decile image grids."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreProducers.kinds),
        // Where the store's image paths point: a `synth` stage's images/ or an `align` stage's aligned/.
        InputSpec("images", accepts: [SynthKind.kind, AlignKind.kind], optional: true),
    ]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("strategies", .strings, default: .list([]), help: "strategies to show (default: all)"),
        ParameterSpec("images", .string, default: .string(""), help: "dataset root for the image grids (optional; in the `images` input if given)"),
        ParameterSpec("bins", .int, default: .int(50), help: "histogram bins"),
        ParameterSpec("seed", .int, default: .int(0), help: "seed for the random images"),
    ]

    public static func run(_ context: StageContext) throws {
        var job = DistributionJob(store: try context.input("store").appendingPathComponent("store.h5").path,
                                  strategies: context.strings("strategies"),
                                  imageRoot: imageRoot(context),
                                  output: context.output.path)
        job.bins = context.int("bins")
        job.seed = UInt64(context.int("seed"))
        try job.run(log: context.log)
    }

    /// Parameter `images` (relative to the pipeline file), or the `images` input's picture folder.
    static func imageRoot(_ c: StageContext) -> String? {
        if let dir = c.inputs["images"] {
            let kind = ArtifactRecord.load(dir.appendingPathComponent(ArtifactRecord.fileName))?.kind
            let folder = c.optionalString("images") ?? (kind == AlignKind.kind ? "aligned" : "images")
            return dir.appendingPathComponent(folder).path
        }
        return c.optionalString("images").map { _ in c.file("images") }
    }
}

/// Stage kinds whose artifact is a store (`store.h5`).
public enum StoreProducers {
    public static var kinds: [String] { [ImportKind.kind, EmbedKind.kind, HeadsKind.kind] }
}
