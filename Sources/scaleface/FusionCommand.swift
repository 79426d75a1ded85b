import Analysis
import ArgumentParser
import Stages

struct FusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fusion",
        abstract: "IJB-C template fusion: template verification and template reject verification.",
        discussion: """
        --fusions takes fusion_distance names (e.g. mean_cosine, PFE_MLS, media-mean_cosine); \
        --reject-metrics takes fusion_distance_uncertainty names (e.g. mean_cosine_mul). \
        DIR of --protocol holds the files of --protocol-format: reference (enroll_templates.csv, \
        verif_templates.csv, cropped_matches.csv), ijbc (ijbc_1N_gallery_G1.csv, ..._G2.csv, \
        ijbc_1N_probe_mixed.csv, ijbc_11_G1_G2_matches.csv) or insightface (ijbc_face_tid_mid.txt, \
        ijbc_template_pair_label.txt, optional ijbc_name_5pts_score.txt).
        Example:
          scaleface fusion --store ijbc.h5 --protocol meta/ --protocol-format insightface \\
              --strategy scale --fusions mean_cosine --reject-metrics mean_cosine_mul,mean_cosine_mean \\
              --fars 1e-6,1e-5,1e-4,1e-3,1e-2,1e-1 --portions 0:0.5:250 --out out/ijbc
        """
    )

    @Option(help: "The embedding store (.h5).") var store: String
    @Option(name: .customLong("protocol"), help: "Folder with the protocol files.") var protocolDirectory: String
    @Option(name: .customLong("protocol-format"), help: "reference, ijbc or insightface.") var protocolFormat: String
    @Option(help: "Uncertainty strategy stored in the store.") var strategy: String?
    @Option(help: "uncertainty or confidence (default: the strategy's stored mode).") var mode: String?
    @Option(help: "Comma-separated fusion_distance names for template verification.") var fusions: String = ""
    @Option(name: .customLong("reject-metrics"), help: "Comma-separated fusion_distance_uncertainty names.") var rejectMetrics: String = ""
    @Option(help: "Comma-separated FARs.") var fars = "1e-4,1e-3,1e-2"
    @Option(help: "Rejected portions: start:stop:count (numpy linspace) or a comma list.") var portions = "0:0.5:250"
    @Flag(name: .customLong("equal-uncertainty-enroll"), help: "Set the enrollment side's uncertainty to 1.")
    var equalUncertaintyEnroll = false
    @Option(name: .customLong("flip-features"),
            help: "A store of embeddings of the horizontally flipped images, summed into each image's before fusion.")
    var flipFeatures: String?
    @Option(help: "The biased-cosine bias b.") var bias: Double?
    @Option(help: "Seed of the random fusion and of the bootstrap.") var seed: UInt64 = 0
    @Option(help: "tar (reject curves only) or edc (also the FNM-EDC of every reject metric).") var curve = "tar"
    @Option(name: .customLong("pauc-limit"), help: "Discard limit of the EDC pAUC.") var paucLimit = 0.2
    @Option(help: "Bootstrap replicates resampling subjects (reference and ijbc layouts) for TAR@FAR and AUC intervals.")
    var bootstrap = 0
    @Option(help: "Output directory.") var out: String
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        guard let format = TemplateProtocolFormat(rawValue: protocolFormat) else {
            throw ValidationError("--protocol-format must be reference, ijbc or insightface, not '\(protocolFormat)'")
        }
        func list(_ s: String) -> [String] { s.split(separator: ",").map(String.init) }
        var stage = FusionStage(store: store, protocolDirectory: protocolDirectory, protocolFormat: format,
                                strategy: strategy, verification: list(fusions), reject: list(rejectMetrics),
                                options: try curveOptions(fars: fars, portions: portions, mode: mode, bias: bias),
                                out: out)
        guard curve == "tar" || curve == "edc" else { throw ValidationError("--curve must be tar or edc, not '\(curve)'") }
        stage.options.edcLimit = curve == "edc" ? paucLimit : nil
        stage.options.bootstrap = bootstrap
        stage.options.seed = seed
        stage.equalUncertaintyEnroll = equalUncertaintyEnroll
        stage.seed = seed
        stage.flipFeatures = flipFeatures
        stage.quiet = quiet
        try stage.run()
    }
}
