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

    @Option(help: "Folder the landmark file's image names are relative to.") var images: String
    @Option(help: "Landmark file (InsightFace layout).") var landmarks: String
    @Option(help: "arcface (InsightFace 112 x 112) or reference (the reference code's template).") var template = "arcface"
    @Option(help: "Crop side in pixels.") var size = 112
    @Option(help: "Output folder (replaced when complete).") var out: String
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        guard let t = AlignmentTemplate(rawValue: template) else { throw ValidationError("--template must be arcface or reference") }
        var job = AlignJob(imagesRoot: images, landmarks: landmarks, output: out)
        job.template = t
        job.size = size
        job.quiet = quiet
        let n = try job.run()
        print("aligned \(n) images into \(out)")
    }
}
