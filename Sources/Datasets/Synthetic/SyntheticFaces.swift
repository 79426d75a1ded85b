import Core
import Imaging
import Foundation
import Store

/// A synthetic face dataset for demos and tests (`scaleface synth`, docs/synthetic.md):
/// face-like pictures of `identities` people, `imagesPerIdentity` each, posed at random in a
/// `rawSize` square canvas with five exact landmarks, and degraded by blur, noise, darkness,
/// occlusion and down-scaling at recorded severities. Everything follows from `seed`: the same
/// parameters give the same bytes on every run, whatever the thread count.
public struct SyntheticFaces: Sendable {
    public var identities: Int
    public var imagesPerIdentity: Int
    public var seed: UInt64
    /// Side of the aligned crop; the canonical face frame (the ArcFace 112 layout) spans about
    /// this many raw pixels, so aligning to the ArcFace template at this size barely resamples.
    public var size: Int
    /// Side of the raw (unaligned) pictures.
    public var rawSize: Int
    /// Share of pictures left without any degradation.
    public var cleanFraction: Double = 0.2
    /// Share of identities in the test split, where all evaluation protocols live.
    public var testFraction: Double = 0.3
    /// Impostor pairs in pairs.csv per genuine pair.
    public var impostorsPerGenuine: Int = 4
    /// Also write the aligned crops (ArcFace template, `size` x `size`) under aligned/.
    public var writeAligned: Bool = false

    public init(identities: Int, imagesPerIdentity: Int, seed: UInt64, size: Int = 112, rawSize: Int = 160) {
        self.identities = identities
        self.imagesPerIdentity = imagesPerIdentity
        self.seed = seed
        self.size = size
        self.rawSize = rawSize
    }

    /// One generated picture's record.
    public struct Picture: Equatable, Sendable {
        public var identity: Int
        /// 0-based position within the identity (file numbers are 1-based, as in LFW).
        public var index: Int
        /// Path relative to the dataset root `DIR/images`: `<subject>/<subject>_<nnnn>.png`.
        public var path: String
        public var subject: Int
        public var media: Int
        public var severity: DegradationSeverity
        /// The five landmarks as a detector would report them (drawn positions plus a small
        /// error that grows with severity), in raw pixels.
        public var landmarks: [SIMD2<Double>]
        /// Exactly where the five landmarks were drawn.
        public var drawnLandmarks: [SIMD2<Double>]
        public var detectorScore: Double
    }

    /// Checks the parameters; the message says what is expected.
    public func validate() throws {
        func fail(_ m: String) -> Error { SyntheticFacesError.invalidParameter(m) }
        guard identities >= 2 else { throw fail("the number of identities must be at least 2 (got \(identities))") }
        guard imagesPerIdentity >= 2 else { throw fail("images per identity must be at least 2 (got \(imagesPerIdentity))") }
        guard imagesPerIdentity <= 9999 else { throw fail("images per identity must be at most 9999 (file numbers have 4 digits)") }
        guard size >= 32 && size <= 1024 else { throw fail("the crop size must be within 32...1024 (got \(size))") }
        guard rawSize >= size && rawSize <= 2048 else { throw fail("the raw picture size must be within the crop size...2048 (got \(rawSize))") }
        guard (0...1).contains(cleanFraction) else { throw fail("clean fraction must be within 0...1") }
        guard testFraction > 0 && testFraction <= 1 else { throw fail("test fraction must be within (0, 1]") }
        guard impostorsPerGenuine >= 1 else { throw fail("impostors per genuine pair must be at least 1") }
    }

    /// Subject ids are 1-based identity numbers (IJB-C subject ids are integers too).
    public func subject(ofIdentity identity: Int) -> Int { identity + 1 }

    public func path(identity: Int, index: Int) -> String {
        let s = subject(ofIdentity: identity)
        return "\(s)/\(s)_\(String(format: "%04d", index + 1)).png"
    }

    // Random streams, one per purpose and item, so any picture can be made alone.
    private enum Stream: UInt64 { case identity = 1, media, mediaLook, shot, severity, damage, landmarks, split, pairs }
    private func rng(_ s: Stream, _ a: Int = 0, _ b: Int = 0) -> SplitMix64 {
        SplitMix64.stream(seed, s.rawValue, UInt64(a), UInt64(b))
    }

    func identityLook(_ identity: Int) -> FaceIdentity {
        var g = rng(.identity, identity)
        return FaceIdentity(rng: &g)
    }

    /// Each identity's pictures fall into media (a video or session) of 1 to 3 consecutive
    /// pictures; returns the media number (0-based within the identity) of every picture.
    func mediaOfPictures(_ identity: Int) -> [Int] {
        var g = rng(.media, identity)
        var out: [Int] = []
        var media = 0
        while out.count < imagesPerIdentity {
            let n = 1 + g.index(below: 3)
            for _ in 0..<n where out.count < imagesPerIdentity { out.append(media) }
            media += 1
        }
        return out
    }

    /// The media id written to the protocols: unique over the dataset, 1-based.
    func mediaID(identity: Int, media: Int) -> Int { identity * imagesPerIdentity + media + 1 }

    func severity(identity: Int, index: Int) -> DegradationSeverity {
        var g = rng(.severity, identity, index)
        return DegradationSeverity.draw(rng: &g, cleanFraction: cleanFraction)
    }

    /// Renders one picture. `severity` replaces the recorded one (tests render a picture clean
    /// or at chosen levels; pose, look and the occluder's place stay the same).
    public func render(identity: Int, index: Int, severity override: DegradationSeverity? = nil) throws -> (image: RGBImage, picture: Picture) {
        try validate()
        guard (0..<identities).contains(identity), (0..<imagesPerIdentity).contains(index) else {
            throw SyntheticFacesError.invalidParameter("no picture \(index) of identity \(identity)")
        }
        let look = identityLook(identity)
        let media = mediaOfPictures(identity)[index]
        var mediaRNG = rng(.mediaLook, identity, media)
        let mediaLook = FaceShot.Media(rng: &mediaRNG)
        var shotRNG = rng(.shot, identity, index)
        let shot = FaceShot(media: mediaLook, rawSize: rawSize, faceSize: size, rng: &shotRNG)
        var face = FaceRenderer.render(look, shot, rawSize: rawSize)
        let recorded = severity(identity: identity, index: index)
        let applied = override ?? recorded
        let unit = Double(size) / 112
        var damageRNG = rng(.damage, identity, index)
        FaceDegradation.apply(applied, to: &face.canvas, unit: unit, faceCenter: face.faceCenter,
                              faceRadius: face.faceRadius, rng: &damageRNG)
        var lm = rng(.landmarks, identity, index)
        let spread = unit * (0.4 + 1.5 * applied.overall)
        let detected = face.landmarks.map { $0 + SIMD2(Double(lm.nextGaussian()), Double(lm.nextGaussian())) * spread }
        let score = min(0.9999, max(0.2, 0.995 - 0.3 * applied.overall + 0.02 * Double(lm.nextGaussian())))
        let picture = Picture(identity: identity, index: index, path: path(identity: identity, index: index),
                              subject: subject(ofIdentity: identity), media: mediaID(identity: identity, media: media),
                              severity: applied, landmarks: detected, drawnLandmarks: face.landmarks, detectorScore: score)
        return (try face.canvas.rgbImage(), picture)
    }

    /// Identities of the test split, ascending; the rest are for training. At least two test
    /// identities so that impostor pairs exist.
    public func testIdentities() -> [Int] {
        var g = rng(.split)
        var order = Array(0..<identities)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, g.index(below: i + 1)) }
        let count = min(identities, max(2, Int((Double(identities) * testFraction).rounded())))
        return order.prefix(count).sorted()
    }

    /// Writes the dataset into `directory`, which must not exist or be empty. Everything is
    /// made in a hidden sibling folder that is renamed into place at the end, so a failure or
    /// an interruption leaves no half-written dataset. `progress(done, total)` is called
    /// from worker threads, serialised.
    @discardableResult
    public func write(to directory: String, progress: ((Int, Int) -> Void)? = nil) throws -> SyntheticFacesSummary {
        try validate()
        let fm = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: target.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw SyntheticFacesError.output(target.path, "exists and is not a directory") }
            guard (try fm.contentsOfDirectory(atPath: target.path)).isEmpty else {
                throw SyntheticFacesError.output(target.path, "exists and is not empty; choose a new directory")
            }
        }
        return try writeDirectoryAtomically(to: target) { staging in
            try writeContents(into: staging.path, progress: progress)
        }
    }

    private func writeContents(into root: String, progress: ((Int, Int) -> Void)?) throws -> SyntheticFacesSummary {
        let fm = FileManager.default
        func file(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
        for id in 0..<identities {
            try fm.createDirectory(atPath: file("images/\(subject(ofIdentity: id))"), withIntermediateDirectories: true)
            if writeAligned {
                try fm.createDirectory(atPath: file("aligned/\(subject(ofIdentity: id))"), withIntermediateDirectories: true)
            }
        }
        let total = identities * imagesPerIdentity
        let aligner = Aligner(template: .arcface, width: size, height: size)
        let lock = NSLock()
        var done = 0
        let pictures = try parallelMap(total) { n -> Picture in
            let (image, picture) = try render(identity: n / imagesPerIdentity, index: n % imagesPerIdentity)
            try image.encodePNG(to: file("images/" + picture.path), fast: true)
            if writeAligned {
                try aligner.align(image, landmarks: picture.landmarks).encodePNG(to: file("aligned/" + picture.path), fast: true)
            }
            lock.withLock {
                done += 1
                progress?(done, total)
            }
            return picture
        }
        return try SyntheticFacesFiles(faces: self, pictures: pictures, testIdentities: testIdentities()).write(into: root)
    }
}

public enum SyntheticFacesError: Error, CustomStringConvertible, Equatable {
    case invalidParameter(String)
    case output(String, String)

    public var description: String {
        switch self {
        case .invalidParameter(let m): return m
        case .output(let path, let m): return "\(path): \(m)"
        }
    }
}
