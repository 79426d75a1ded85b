/// Every stage kind a pipeline file can name.
public enum StageRegistry {
    public static let kinds: [String: StageKind.Type] = {
        let all: [StageKind.Type] = [SynthKind.self, InitWeightsKind.self, ScorecardKind.self, AlignKind.self, EmbedKind.self, SynthEmbeddingsKind.self, ImportKind.self, TrainHeadStageKind.self, HeadsKind.self, RejectKind.self, FusionKind.self, DistributionKind.self, ReportKind.self]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.kind, $0) })
    }()
}
