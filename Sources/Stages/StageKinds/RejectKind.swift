import Foundation
import Pipeline

/// `kind: reject`: reject verification over image pairs (`scaleface reject`).
/// Artifact: results.json, results.csv, figures/, figures.json.
public enum RejectKind: StageKind {
    public typealias Options = RejectOptions
    public static let kind = "reject"
    public static let version = 2
    public static let summary = "Reject verification: TAR@FAR as the most uncertain image pairs are rejected."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreArtifact.kinds, optional: true, provides: ["store": StoreArtifact.file]),
        InputSpec("pairs", accepts: [SynthKind.kind, SynthEmbeddingsKind.kind], optional: true,
                  anchors: ["val_pairs"], provides: ["pairs": "pairs.csv"]),
    ]

    public static func run(_ options: RejectOptions, in context: StageContext) throws {
        var options = options
        // Images an embed stage left out as unreadable: their pairs are dropped, not errors.
        // (Covered by the store input's key; a store named by path gives `exclude_images` itself.)
        if let store = context.inputs["store"], options.excludeImages == nil {
            let skipped = store.appendingPathComponent(StoreArtifact.skippedFile).path
            if FileManager.default.fileExists(atPath: skipped) { options.excludeImages = InputFile(path: skipped) }
        }
        try RejectJob(options).run(out: context.output.path, log: context.log)
        try EvaluationFigureManifest.write(context.output)
    }
}
