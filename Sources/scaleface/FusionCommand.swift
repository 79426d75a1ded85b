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
        ijbc_template_pair_label.txt, optional ijbc_name_5pts_score.txt), insightface-ijbb (the same \
        files named ijbb_*) or ijba (IJB-A_11_sets/split1..10: TAR@FAR per fold, mean and std over folds, \
        --fusions only). \
        Fusions (docs/metrics.md): first, mean, stat-mean, PFE, argmax, softmax[-T], stat-softmax, \
        weighted, weighted-softmax[-T] (the template script's); min, random, mean-no-uncertainty, \
        dim-softmax-T (fusion.py's); min-raw, argmax-dim, stat-softmax-dim, weighted-dim, \
        weighted-softmax-dim[-T]; media-mean. --equal-uncertainty-enroll: template versus single \
        image. The biased-cosine bias: --bias b or --val-protocol DIR.
        Example:
          scaleface fusion --store ijbc.h5 --protocol meta/ --protocol-format insightface \\
              --strategy scale --fusions mean_cosine --reject-metrics mean_cosine_mul,mean_cosine_mean \\
              --fars 1e-6,1e-5,1e-4,1e-3,1e-2,1e-1 --portions 0:0.5:250 --out out/ijbc
        """
    )

    @OptionGroup var options: FusionOptions
    @Option(help: "Output directory.") var out: String
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try FusionJob(options).run(out: out, log: progress.log)
    }
}
