import ArgumentParser
import Stages

struct AlignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Align images by five landmarks (InsightFace landmark file) into 112 x 112 PNG crops.",
        discussion: """
        Each line of the landmark file is `image_name x1 y1 ... x5 y5 detector_score` (left eye, \
        right eye, nose, left and right mouth corners), image_name relative to --images. Crops keep \
        the relative path with extension .png; OUT/paths.txt lists them in landmark-file order.
        Example:
          scaleface align --images /data/IJB-C/loose_crop --landmarks ijbc_name_5pts_score.txt --out ijbc-aligned
        """
    )

    @OptionGroup var options: AlignOptions
    @Option(help: "Output folder (replaced when complete).") var out: String
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let n = try AlignJob(options, output: out, quiet: progress.quiet).run()
        print("aligned \(n) images into \(out)")
    }
}
