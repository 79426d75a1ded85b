import ArgumentParser
import Core
import Imaging
import Foundation
import Pipeline

/// `scaleface align`: every image of an InsightFace-style landmark file, aligned by its five
/// points onto a template and written as PNG under the output folder, keeping its relative
/// path with the extension `.png`; `paths.txt` lists the crops in landmark-file order.
/// Images are decoded, warped and encoded on all cores; the output folder is assembled under
/// a temporary name and renamed when complete.
/// The options of `scaleface align` and of `kind: align`.
public struct AlignOptions: ParsableArguments, Sendable {
    @Option(help: "Folder the landmark file's image names are relative to.")
    public var images: InputFolder
    @Option(help: "Landmark file (InsightFace layout: name x1 y1 ... x5 y5 score).")
    public var landmarks: InputFile
    @Option(help: "arcface (InsightFace 112 x 112) or reference (the reference code's template).")
    public var template: AlignmentTemplate = .arcface
    @Option(help: "Crop side in pixels.")
    public var size = 112

    public init() {}

    public func validate() throws {
        guard size >= 16 else { throw ValidationError("the crop side must be at least 16 pixels") }
    }
}

public struct AlignJob {
    public var options: AlignOptions
    /// The folder to write (replaced when complete).
    public var output: String
    public var quiet: Bool

    public init(_ options: AlignOptions, output: String, quiet: Bool) {
        self.options = options
        self.output = output
        self.quiet = quiet
    }

    /// The crop's relative path for an image name: the same path with extension `.png`.
    public static func alignedName(_ imageName: String) -> String {
        (imageName as NSString).deletingPathExtension + ".png"
    }

    @discardableResult
    public func run() throws -> Int {
        let file = try LandmarkFile.read(path: options.landmarks.path)
        guard !file.records.isEmpty else { throw InputError(file: options.landmarks.path, "no landmark lines") }
        var seen: [String: String] = [:]
        for r in file.records {
            let name = Self.alignedName(r.imageName)
            if let other = seen.updateValue(r.imageName, forKey: name) {
                throw InputError(file: options.landmarks.path, "images '\(other)' and '\(r.imageName)' would both be aligned to '\(name)'")
            }
        }
        let landmarks = options.landmarks.path, root = options.images.path
        try writeDirectoryAtomically(to: URL(fileURLWithPath: output)) { staging in
            let aligner = Aligner(template: options.template, width: options.size, height: options.size)
            let records = file.records
            let progress = ProgressLine(label: "align", total: records.count, quiet: quiet)
            try parallelFor(records.count, chunk: 64) { i in
                let r = records[i]
                do {
                    let image = try RGBImage.decode(path: (root as NSString).appendingPathComponent(r.imageName))
                    let crop = try aligner.align(image, landmarks: r.points)
                    let out = staging.appendingPathComponent(Self.alignedName(r.imageName))
                    try? FileManager.default.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try crop.encodePNG(to: out.path)
                } catch let e as AlignmentError {
                    throw InputError(file: landmarks, "image '\(r.imageName)': \(e)")
                }
                progress.advance()
            }
            progress.finish()
            try writeText(records.map { Self.alignedName($0.imageName) }.joined(separator: "\n") + "\n",
                          to: staging.appendingPathComponent(PicturesArtifact.list).path)
        }
        return file.records.count
    }
}
