import Dispatch
import Foundation

/// `scaleface align`: every image of an InsightFace-style landmark file, aligned by its five
/// points onto a template and written as PNG under the output folder, keeping its relative
/// path with the extension `.png`; `paths.txt` lists the crops in landmark-file order.
/// Images are decoded, warped and encoded on all cores; the output folder is assembled under
/// a temporary name and renamed when complete.
public struct AlignJob {
    public var imagesRoot: String
    public var landmarks: String
    public var output: String
    public var template: AlignmentTemplate = .arcface
    public var size = 112
    public var quiet = false

    public init(imagesRoot: String, landmarks: String, output: String) {
        self.imagesRoot = imagesRoot
        self.landmarks = landmarks
        self.output = output
    }

    /// The crop's relative path for an image name: the same path with extension `.png`.
    public static func alignedName(_ imageName: String) -> String {
        (imageName as NSString).deletingPathExtension + ".png"
    }

    @discardableResult
    public func run() throws -> Int {
        let file = try LandmarkFile.read(path: landmarks)
        guard !file.records.isEmpty else { throw InputError(file: landmarks, "no landmark lines") }
        var seen: [String: String] = [:]
        for r in file.records {
            let name = Self.alignedName(r.imageName)
            if let other = seen.updateValue(r.imageName, forKey: name) {
                throw InputError(file: landmarks, "images '\(other)' and '\(r.imageName)' would both be aligned to '\(name)'")
            }
        }
        let fm = FileManager.default
        let target = URL(fileURLWithPath: output)
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            let aligner = Aligner(template: template, width: size, height: size)
            let records = file.records
            let progress = ProgressLine(label: "align", total: records.count, quiet: quiet)
            let failure = FirstError()
            let chunk = 64
            let chunks = (records.count + chunk - 1) / chunk
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                for i in (c * chunk)..<min(records.count, (c + 1) * chunk) where !failure.isSet {
                    let r = records[i]
                    do {
                        let image = try RGBImage.decode(path: (imagesRoot as NSString).appendingPathComponent(r.imageName))
                        let crop = try aligner.align(image, landmarks: r.points)
                        let out = staging.appendingPathComponent(Self.alignedName(r.imageName))
                        try? fm.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
                        try crop.encodePNG(to: out.path)
                    } catch let e as AlignmentError {
                        failure.set(InputError(file: landmarks, "image '\(r.imageName)': \(e)"))
                    } catch {
                        failure.set(error)
                    }
                    progress.advance()
                }
            }
            progress.finish()
            if let e = failure.error { throw e }
            try writeText(records.map { Self.alignedName($0.imageName) }.joined(separator: "\n") + "\n",
                          to: staging.appendingPathComponent("paths.txt").path)
            try? fm.removeItem(at: target)
            guard rename(staging.path, target.path) == 0 else {
                throw InputError(file: output, "cannot move the aligned images into place")
            }
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
        return file.records.count
    }
}
