import Foundation
import Pipeline

/// `kind: scorecard`: the headline figures of reject stages against a baseline, and of a
/// store's strategies against a recorded per-image covariate, with pass/fail targets
/// (`ScorecardJob`). Artifact: scorecard.json, scorecard.csv, figures/, figures.json.
public enum ScorecardKind: StageKind {
    public typealias Options = ScorecardOptions
    public static let kind = "scorecard"
    public static let version = 1
    public static let summary = "Headline TAR, reject-AUC ratio to a baseline and rank correlation with image degradation, checked against targets."
    public static let inputs: [InputSpec] = [
        InputSpec("reject*", accepts: [RejectKind.kind]),
        InputSpec("store", accepts: StoreArtifact.kinds, optional: true),
        InputSpec("covariates", accepts: [SynthKind.kind], optional: true, anchors: ["subset"],
                  provides: ["covariate_file": "severity.csv"]),
    ]

    public static func run(_ options: ScorecardOptions, in context: StageContext) throws {
        let rejects = try context.inputOrder.filter { $0.hasPrefix("reject") }.map { role -> (stage: String, directory: URL) in
            let dir = try context.input(role)
            return (ArtifactRecord.load(dir.appendingPathComponent(ArtifactRecord.fileName))?.stage ?? role, dir)
        }
        let store = context.inputs["store"].map(StoreArtifact.path(in:))
        let card = try ScorecardJob(options, rejects: rejects, store: store).build()
        try card.write(to: context.output)
        let log = context.log
        for check in card.checks {
            log.plain("\(check.pass ? "pass" : "FAIL"): \(check.name) = \(check.value.map { String(format: "%.4f", $0) } ?? "undefined") (target \(check.target))")
        }
    }
}
