import Foundation
import Pipeline

/// `kind: import`: `store import` as a stage. With input `data` (a `synth-embeddings`
/// stage), file names are looked up in that artifact; without it they are files relative to
/// the pipeline file, and part of the cache key through their content. Artifact: store.h5.
public enum ImportKind: StageKind {
    public typealias Options = StoreImportOptions
    public static let kind = "import"
    public static let version = 1
    public static let summary = "Import precomputed embeddings (.npy) into a store."
    public static let inputs: [InputSpec] = [
        InputSpec("data", accepts: [SynthEmbeddingsKind.kind], optional: true, anchors: ["uncertainty", "labels"],
                  provides: ["paths": PicturesArtifact.list, "embeddings": "embeddings.npy"]),
    ]

    public static func run(_ options: StoreImportOptions, in context: StageContext) throws {
        let (n, d) = try StoreImport(options, output: context.output(StoreArtifact.file)).run()
        context.log("\(n) images x \(d) dimensions")
    }
}
