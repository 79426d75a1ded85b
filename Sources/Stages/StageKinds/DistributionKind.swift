import Foundation
import Pipeline

/// `kind: distribution`: per-strategy values, histograms and decile image grids of a store.
/// Artifact: `<strategy>.npy`, `<strategy>_histogram.png`, `<strategy>_deciles.png`, figures.json.
public enum DistributionKind: StageKind {
    public typealias Options = DistributionOptions
    public static let kind = "distribution"
    public static let version = 1
    public static let summary = "Uncertainty distribution: values, 50-bin histogram, decile image grids."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreArtifact.kinds, optional: true, provides: ["store": StoreArtifact.file]),
        // Where the store's image paths point: a `synth` stage's images/ or an `align` stage's aligned/.
        InputSpec("images", accepts: [SynthKind.kind, AlignKind.kind], optional: true,
                  providesByKind: [SynthKind.kind: ["images": PicturesArtifact.folder(kind: SynthKind.kind)],
                                   AlignKind.kind: ["images": PicturesArtifact.folder(kind: AlignKind.kind)]]),
    ]

    public static func run(_ options: DistributionOptions, in context: StageContext) throws {
        let log = context.log
        try DistributionJob(options, output: context.output.path).run(log: { log($0) })
    }
}
