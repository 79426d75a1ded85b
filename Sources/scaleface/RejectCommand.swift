import Analysis
import ArgumentParser
import Stages

struct RejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "TAR@FAR as the most uncertain image pairs are rejected (reject verification).",
        discussion: """
        Metrics are distance_uncertainty (REFERENCE sections 4-5), e.g. cosine_harmonic-harmonic, \
        MLS_mean, scale-mul-biased-cosine_mean. Writes OUT/results.json and OUT/results.csv.
        Example:
          scaleface reject --store lfw.h5 --pairs pairs.txt --pairs-format lfw --strategy scale \\
              --metrics cosine_mul,scale-mul-cosine_mul --fars 1e-3,1e-2 --portions 0:0.5:250 --out out/lfw
        """
    )

    @Option(help: "The embedding store (.h5).") var store: String
    @Option(help: "Image pair list.") var pairs: String
    @Option(name: .customLong("pairs-format"), help: "csv (left,right,label) or lfw (pairs.txt).") var pairsFormat = "csv"
    @Option(help: "Uncertainty strategy stored in the store.") var strategy: String?
    @Option(help: "uncertainty or confidence (default: the strategy's stored mode).") var mode: String?
    @Option(help: "Comma-separated distance_uncertainty metrics.") var metrics: String
    @Option(help: "Comma-separated FARs.") var fars = "1e-4,1e-3,1e-2"
    @Option(help: "Rejected portions: start:stop:count (numpy linspace) or a comma list.") var portions = "0:0.5:250"
    @Option(name: .customLong("val-pairs"), help: "Validation pairs giving the biased-cosine bias.") var valPairs: String?
    @Option(help: "The biased-cosine bias b, instead of --val-pairs.") var bias: Double?
    @Option(help: "tar (reject curves only) or edc (also the FNM-EDC, docs/metrics.md).") var curve = "tar"
    @Option(name: .customLong("pauc-limit"), help: "Discard limit of the EDC pAUC.") var paucLimit = 0.2
    @Option(help: "Bootstrap replicates resampling subjects (store labels) for TAR@FAR and AUC intervals.")
    var bootstrap = 0
    @Option(help: "Seed of the bootstrap.") var seed: UInt64 = 0
    @Option(name: .customLong("exclude-images"),
            help: "Images left out of the store (embed --skip-bad-images writes OUT.skipped.txt); their pairs are dropped.")
    var excludeImages: String?
    @Option(help: "Output directory.") var out: String
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        guard let format = ImagePairFormat(rawValue: pairsFormat) else {
            throw ValidationError("--pairs-format must be csv or lfw, not '\(pairsFormat)'")
        }
        var stage = RejectStage(store: store, pairs: pairs, strategy: strategy,
                                metrics: metrics.split(separator: ",").map(String.init),
                                options: try curveOptions(fars: fars, portions: portions, mode: mode, bias: bias), out: out)
        guard curve == "tar" || curve == "edc" else { throw ValidationError("--curve must be tar or edc, not '\(curve)'") }
        stage.options.edcLimit = curve == "edc" ? paucLimit : nil
        stage.options.bootstrap = bootstrap
        stage.options.seed = seed
        stage.pairsFormat = format
        stage.validationPairs = valPairs
        stage.quiet = quiet
        stage.excludedImages = excludeImages
        try stage.run()
    }
}

func curveOptions(fars: String, portions: String, mode: String?, bias: Double?) throws -> CurveOptions {
    var m: Analysis.UncertaintyMode?
    if let mode {
        guard let parsed = Analysis.UncertaintyMode(rawValue: mode) else {
            throw ValidationError("--mode must be uncertainty or confidence, not '\(mode)'")
        }
        m = parsed
    }
    return CurveOptions(fars: try parseFARs(fars), portions: try parsePortions(portions), mode: m, bias: bias)
}
