import Foundation

// What each kind's artifact holds, named once (docs/architecture.md, "Typed artifacts").

/// An artifact holding an embedding store: `import`, `embed` and `heads` stages.
public enum StoreArtifact {
    public static let file = "store.h5"
    /// Images `embed --skip-bad-images` left out, beside the store.
    public static let skippedFile = "store.h5.skipped.txt"
    public static func path(in artifact: URL) -> String { artifact.appendingPathComponent(file).path }
    public static var kinds: [String] { [ImportKind.kind, EmbedKind.kind, HeadsKind.kind] }
}

/// An artifact of evaluation results: `reject` and `fusion` stages.
public enum ResultsArtifact {
    public static let file = "results.json"
    public static let table = "results.csv"
}

/// An artifact holding pictures: `synth` (`images/`) and `align` (`aligned/`) stages.
public enum PicturesArtifact {
    /// The pictures' folder and the list of them, by the kind that made the artifact.
    public static func folder(kind: String) -> String { kind == AlignKind.kind ? "aligned" : "images" }
    public static let list = "paths.txt"
}

/// An artifact holding weights: `init-weights` stages.
public enum WeightsArtifact {
    public static let file = "weights.h5"
}

/// An artifact holding a trained head: `train-head` stages.
public enum HeadArtifact {
    public static let checkpoint = "head.pth"
    public static let weights = "head.h5"
}

/// Figures a stage lists for the report.
public enum FiguresArtifact {
    public static let manifest = "figures.json"
    public static let folder = "figures"
}
