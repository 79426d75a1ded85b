/// `kind: synth`: a synthetic face dataset (see `SyntheticFaces`, docs/synthetic.md).
/// Artifact: images/, landmarks.txt, severity.csv, paths.txt, labels.txt, labels.npy,
/// splits/, pairs.csv, pairs.txt and protocol/ in the three IJB-C layouts.
public enum SynthKind: StageKind {
    public static let kind = "synth"
    public static let version = 2
    public static let summary = "Generate synthetic faces with landmarks, graded degradations and protocols."
    public static let inputs: [InputSpec] = []
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("identities", .int, help: "number of identities"),
        ParameterSpec("images_per_identity", .int, help: "pictures per identity"),
        ParameterSpec("seed", .int, default: .int(1), help: "random seed"),
        ParameterSpec("size", .int, default: .int(112), help: "aligned crop side"),
        ParameterSpec("raw_size", .int, default: .int(160), help: "raw picture side"),
        ParameterSpec("clean_fraction", .double, default: .double(0.2), help: "share of undegraded pictures"),
        ParameterSpec("test_fraction", .double, default: .double(0.3), help: "share of identities in the test split"),
        ParameterSpec("impostors_per_genuine", .int, default: .int(4), help: "impostor pairs per genuine pair"),
        ParameterSpec("aligned", .bool, default: .bool(false), help: "also write aligned crops under aligned/"),
    ]

    public static func run(_ context: StageContext) throws {
        var faces = SyntheticFaces(identities: context.int("identities"), imagesPerIdentity: context.int("images_per_identity"),
                                   seed: UInt64(context.int("seed")), size: context.int("size"), rawSize: context.int("raw_size"))
        faces.cleanFraction = context.double("clean_fraction")
        faces.testFraction = context.double("test_fraction")
        faces.impostorsPerGenuine = context.int("impostors_per_genuine")
        faces.writeAligned = context.bool("aligned")
        try faces.validate()
        // The runner's working folder exists and is empty, which `write` accepts.
        let progress = ProgressLine(label: "synth", total: faces.identities * faces.imagesPerIdentity, quiet: context.quiet)
        let summary = try faces.write(to: context.output.path, progress: { done, _ in progress.update(done) })
        progress.finish()
        summary.lines.forEach(context.log)
    }
}
