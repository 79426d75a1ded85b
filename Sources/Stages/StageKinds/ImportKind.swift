import Foundation

/// `kind: import`: `store import` as a stage. With input `data`, file names are looked up
/// in that artifact; without it they are files relative to the pipeline file (and part of
/// the cache key through their content). Artifact: store.h5.
public enum ImportKind: StageKind {
    public static let kind = "import"
    public static let version = 1
    public static let summary = "Import precomputed embeddings (.npy) into a store."
    public static let inputs: [InputSpec] = [InputSpec("data", accepts: [SynthEmbeddingsKind.kind], optional: true)]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("paths", .string, default: .string("paths.txt"), isFile: false, help: "image key list"),
        ParameterSpec("embeddings", .string, default: .string("embeddings.npy"), help: "[N, D] .npy"),
        ParameterSpec("uncertainty", .strings, default: .list([]), help: "NAME=FILE.npy[:mode] entries"),
        ParameterSpec("labels", .string, default: .string(""), help: "[N] integer .npy, optional"),
        ParameterSpec("model", .string, default: .string(""), help: "model description"),
        ParameterSpec("preprocessing", .string, default: .string(""), help: "preprocessing name"),
    ]

    public static func run(_ context: StageContext) throws {
        let base = context.inputs["data"] ?? context.baseDirectory
        func resolve(_ name: String) -> String { name.hasPrefix("/") ? name : base.appendingPathComponent(name).path }
        var job = StoreImport(output: context.output("store.h5"),
                              source: .arrays(paths: resolve(context.string("paths")),
                                              embeddings: resolve(context.string("embeddings"))))
        job.uncertainties = try context.strings("uncertainty").map { arg in
            var u = try StoreImport.UncertaintySource(argument: arg)
            u.file = resolve(u.file)
            return u
        }
        job.labels = context.optionalString("labels").map(resolve)
        job.model = context.string("model")
        job.preprocessing = context.string("preprocessing")
        let (n, d) = try job.run()
        context.log("\(n) images x \(d) dimensions")
    }
}
