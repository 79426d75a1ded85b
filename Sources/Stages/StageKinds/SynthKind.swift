import Datasets
import Pipeline

/// `kind: synth`: a synthetic face dataset (see `SyntheticFaces`, docs/synthetic.md).
/// Artifact: images/, landmarks.txt, severity.csv, paths.txt, labels.txt, labels.npy,
/// splits/, pairs.csv, pairs.txt, pairs_CPLFW.txt and protocol/ in the three IJB-C layouts, IJB-B's InsightFace
/// layout and IJB-A's 10 splits.
public enum SynthKind: StageKind {
    public typealias Options = SynthOptions
    public static let kind = "synth"
    public static let version = 4
    public static let summary = "Generate synthetic faces with landmarks, graded degradations and protocols."
    public static let inputs: [InputSpec] = []

    public static func run(_ options: SynthOptions, in context: StageContext) throws {
        // The runner's working folder exists and is empty, which `write` accepts.
        let summary = try SynthJob(options).run(out: context.output.path, quiet: context.quiet)
        summary.lines.forEach(context.log.plain)
    }
}
