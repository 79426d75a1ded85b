import Pipeline

/// Every stage kind a pipeline file can name (docs/architecture.md, "Adding a stage kind").
public enum StageRegistry {
    public static let kinds: [String: any StageKind.Type] = {
        let all: [any StageKind.Type] = [
            SynthKind.self, SynthEmbeddingsKind.self, InitWeightsKind.self, AlignKind.self, EmbedKind.self,
            ImportKind.self, TrainHeadStageKind.self, HeadsKind.self, RejectKind.self, FusionKind.self,
            DistributionKind.self, ScorecardKind.self, ReportKind.self,
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.kind, $0) })
    }()
}
