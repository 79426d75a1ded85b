import Foundation

/// `kind: scorecard`: the headline figures of reject stages against a baseline, and of a
/// store's strategies against a recorded per-image covariate, with pass/fail targets
/// (`ScorecardJob`). Artifact: scorecard.json, scorecard.csv, figures/, figures.json.
public enum ScorecardKind: StageKind {
    public static let kind = "scorecard"
    public static let version = 1
    public static let summary = "Headline TAR, reject-AUC ratio to a baseline and rank correlation with image degradation, checked against targets."
    public static let inputs: [InputSpec] = [
        InputSpec("reject*", accepts: [RejectKind.kind]),
        InputSpec("store", accepts: StoreProducers.kinds, optional: true),
        InputSpec("covariates", accepts: [SynthKind.kind], optional: true),
    ]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("far", .double, default: .double(1e-2), help: "the FAR the TAR and AUC are read at"),
        ParameterSpec("metric", .string, default: .string("cosine_mean"), help: "reject metric compared across stages"),
        ParameterSpec("stage_metrics", .strings, default: .list([]), help: "stage=metric where a stage is read at another metric"),
        ParameterSpec("method", .string, help: "reject stage the checks are about"),
        ParameterSpec("baseline", .string, help: "reject stage of the baseline (e.g. strategy random)"),
        ParameterSpec("covariate_file", .string, default: .string("severity.csv"), help: "per-image CSV (in the `covariates` input)"),
        ParameterSpec("covariate", .string, default: .string("severity"), help: "column correlated with each strategy"),
        ParameterSpec("subset", .string, default: .string(""), help: "image list the correlation is over (in `covariates`)"),
        ParameterSpec("correlated", .string, default: .string("scale"), help: "strategy whose correlation is checked"),
        ParameterSpec("min_tar", .double, default: .double(0.5), help: "target: TAR with nothing rejected"),
        ParameterSpec("min_auc_ratio", .double, default: .double(1.1), help: "target: method AUC / baseline AUC"),
        ParameterSpec("max_spearman", .double, default: .double(-0.5), help: "target: Spearman correlation"),
    ]

    public static func run(_ c: StageContext) throws {
        let rejects = try c.inputOrder.filter { $0.hasPrefix("reject") }.map { role -> (stage: String, directory: URL) in
            let dir = try c.input(role)
            return (ArtifactRecord.load(dir.appendingPathComponent(ArtifactRecord.fileName))?.stage ?? role, dir)
        }
        var job = ScorecardJob(rejects: rejects, far: c.double("far"), metric: c.string("metric"),
                               method: c.string("method"), baseline: c.string("baseline"))
        for item in c.strings("stage_metrics") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, rejects.contains(where: { $0.stage == parts[0] }) else {
                throw InputError(file: c.stageName, "stage_metrics item '\(item)' is not STAGE=METRIC for a reject input (\(rejects.map(\.stage).joined(separator: ", ")))")
            }
            job.stageMetrics[parts[0]] = parts[1]
        }
        job.store = c.inputs["store"]?.appendingPathComponent("store.h5").path
        let base = c.inputs["covariates"] ?? c.baseDirectory
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        if job.store != nil { job.covariateFile = resolve(c.string("covariate_file")) }
        job.covariate = c.string("covariate")
        job.subset = c.optionalString("subset").map(resolve)
        job.correlated = c.string("correlated")
        job.minTAR = c.double("min_tar")
        job.minAUCRatio = c.double("min_auc_ratio")
        job.maxSpearman = c.double("max_spearman")
        let card = try job.build()
        try card.write(to: c.output)
        for check in card.checks {
            c.log("\(check.pass ? "pass" : "FAIL"): \(check.name) = \(check.value.map { String(format: "%.4f", $0) } ?? "undefined") (target \(check.target))")
        }
    }
}
