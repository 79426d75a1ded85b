/// `kind: distribution`: per-strategy values, histograms and decile image grids of a store.
public enum DistributionKind: StageKind {
    public static let kind = "distribution"
    public static let version = 1
    public static let summary = "Uncertainty distribution: values, 50-bin histogram, decile image grids."
    public static let inputs: [InputSpec] = [InputSpec("store", accepts: StoreProducers.kinds)]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("strategies", .strings, default: .list([]), help: "strategies to show (default: all)"),
        ParameterSpec("images", .string, default: .string(""), help: "dataset root for the image grids (optional)"),
        ParameterSpec("bins", .int, default: .int(50), help: "histogram bins"),
        ParameterSpec("seed", .int, default: .int(0), help: "seed for the random images"),
    ]

    public static func run(_ context: StageContext) throws {
        var job = DistributionJob(store: try context.input("store").appendingPathComponent("store.h5").path,
                                  strategies: context.strings("strategies"),
                                  imageRoot: context.optionalString("images").map { _ in context.file("images") },
                                  output: context.output.path)
        job.bins = context.int("bins")
        job.seed = UInt64(context.int("seed"))
        try job.run(log: context.log)
    }
}

/// Stage kinds whose artifact is a store (`store.h5`).
public enum StoreProducers {
    public static var kinds: [String] { [ImportKind.kind, EmbedKind.kind, HeadsKind.kind] }
}
