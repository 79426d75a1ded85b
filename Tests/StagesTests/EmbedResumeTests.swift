import struct Analysis.SplitMix64
import Foundation
import XCTest
@testable import Stages
import Store

/// `scaleface embed` killed at random moments and rerun ends with the same store as an
/// uninterrupted run, dataset for dataset, bit for bit.
final class EmbedResumeTests: XCTestCase {
    static let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures")

    /// 400 random 40 x 40 images (the parity fixture network takes 40 x 40 input).
    private func makeImages(_ dir: URL) throws -> URL {
        var rng = SplitMix64(seed: 42)
        let images = dir.appendingPathComponent("img")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        var names: [String] = []
        for i in 0..<400 {
            let pixels = (0..<(40 * 40 * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            try RGBImage(width: 40, height: 40, pixels: pixels).encodePNG(to: images.appendingPathComponent("\(i).png").path)
            names.append("\(i).png")
        }
        let list = dir.appendingPathComponent("list.txt")
        try (names.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        return list
    }

    private func arguments(_ dir: URL, list: URL, out: String) -> [String] {
        ["embed", "--images", dir.appendingPathComponent("img").path, "--list", list.path,
         "--checkpoint", Self.fixtures.appendingPathComponent("nested_f32.pth").path, "--arch", "iresnet18",
         "--strategies", "emb_norm,scale,head", "--input-size", "40", "--batch", "3", "--threads", "1",
         "--keep-bottleneck", "--out", out]
    }

    func testKilledRunsResumeToTheUninterruptedStore() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let list = try makeImages(dir)
        let reference = dir.appendingPathComponent("reference.h5").path
        let r = try TestSupport.scaleface(arguments(dir, list: list, out: reference) + ["--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)

        let out = dir.appendingPathComponent("resumed.h5").path
        var rng = SplitMix64(seed: 7)
        var resumedFrom: [Int] = []
        for _ in 0..<5 {
            let p = Process()
            p.executableURL = TestSupport.binary
            p.arguments = arguments(dir, list: list, out: out) + ["--quiet"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(150_000 + Int(rng.next() % 900_000)))  // 0.15 to 1.05 s
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            if let partial = try? EmbeddingStore.open(StoreFormat.partialPath(for: out), allowIncomplete: true) {
                resumedFrom.append(partial.committedRows)
            }
        }
        XCTAssertTrue(resumedFrom.contains { $0 > 0 && $0 < 400 }, "some kill landed mid-run: \(resumedFrom)")
        XCTAssertEqual(resumedFrom, resumedFrom.sorted(), "committed rows never go backwards")
        let last = try TestSupport.scaleface(arguments(dir, list: list, out: out))
        XCTAssertEqual(last.status, 0, last.stderr)
        if let before = resumedFrom.last, before > 0, before < 400 {
            XCTAssertTrue(last.stderr.contains("continuing \(out) after \(before) of 400"), last.stderr)
        }

        let a = try EmbeddingStore.open(reference), b = try EmbeddingStore.open(out)
        XCTAssertEqual(try a.paths(), try b.paths())
        XCTAssertEqual(try a.embeddings().map(\.bitPattern), try b.embeddings().map(\.bitPattern))
        for s in ["emb_norm", "scale", "head"] {
            XCTAssertEqual(try a.uncertainty(named: s).values.map(\.bitPattern), try b.uncertainty(named: s).values.map(\.bitPattern), s)
        }
        XCTAssertEqual(try a.bottleneckFeatures()?.map(\.bitPattern), try b.bottleneckFeatures()?.map(\.bitPattern))
        XCTAssertFalse(FileManager.default.fileExists(atPath: StoreFormat.partialPath(for: out)))
    }

    func testShardsMergeToTheWholeStore() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let list = try makeImages(dir)
        let whole = dir.appendingPathComponent("whole.h5").path
        XCTAssertEqual(try TestSupport.scaleface(arguments(dir, list: list, out: whole) + ["--quiet"]).status, 0)
        var shards: [String] = []
        for i in 0..<3 {
            let s = dir.appendingPathComponent("shard\(i).h5").path
            let r = try TestSupport.scaleface(arguments(dir, list: list, out: s) + ["--quiet", "--shard", "\(i)/3"])
            XCTAssertEqual(r.status, 0, r.stderr)
            shards.append(s)
        }
        let merged = dir.appendingPathComponent("merged.h5").path
        XCTAssertEqual(try TestSupport.scaleface(["store", "merge", "--out", merged] + shards).status, 0)
        let a = try EmbeddingStore.open(whole), b = try EmbeddingStore.open(merged)
        XCTAssertEqual(try a.paths(), try b.paths())
        XCTAssertEqual(try a.embeddings().map(\.bitPattern), try b.embeddings().map(\.bitPattern))
        XCTAssertEqual(try a.uncertainty(named: "head").values.map(\.bitPattern), try b.uncertainty(named: "head").values.map(\.bitPattern))
        XCTAssertEqual(try a.bottleneckFeatures()?.map(\.bitPattern), try b.bottleneckFeatures()?.map(\.bitPattern))
        let bad = try TestSupport.scaleface(arguments(dir, list: list, out: merged) + ["--shard", "3/3"])
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--shard takes I/N with 0 <= I < N"), bad.stderr)
    }

    func testLandmarksAlignOnTheFlyAsTheAlignCommandDoes() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let synth = dir.appendingPathComponent("synth")
        _ = try SyntheticFaces(identities: 3, imagesPerIdentity: 4, seed: 9).write(to: synth.path)
        let checkpoint = Self.fixtures.appendingPathComponent("nested_f32.pth").path
        let common = ["--checkpoint", checkpoint, "--arch", "iresnet18", "--input-size", "40", "--quiet"]
        let onTheFly = dir.appendingPathComponent("fly.h5").path
        var r = try TestSupport.scaleface(["embed", "--images", synth.appendingPathComponent("images").path,
                                           "--list", synth.appendingPathComponent("paths.txt").path,
                                           "--landmarks", synth.appendingPathComponent("landmarks.txt").path,
                                           "--out", onTheFly] + common)
        XCTAssertEqual(r.status, 0, r.stderr)
        let aligned = dir.appendingPathComponent("aligned")
        r = try TestSupport.scaleface(["align", "--images", synth.appendingPathComponent("images").path,
                                       "--landmarks", synth.appendingPathComponent("landmarks.txt").path,
                                       "--size", "40", "--out", aligned.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let offline = dir.appendingPathComponent("offline.h5").path
        r = try TestSupport.scaleface(["embed", "--images", aligned.path, "--list", aligned.appendingPathComponent("paths.txt").path,
                                       "--out", offline] + common)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try EmbeddingStore.open(onTheFly).embeddings(), try EmbeddingStore.open(offline).embeddings())

        let lm = dir.appendingPathComponent("partial_landmarks.txt")
        let lines = try String(contentsOf: synth.appendingPathComponent("landmarks.txt"), encoding: .utf8).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(to: lm, atomically: true, encoding: .utf8)
        r = try TestSupport.scaleface(["embed", "--images", synth.appendingPathComponent("images").path,
                                       "--list", synth.appendingPathComponent("paths.txt").path, "--landmarks", lm.path,
                                       "--out", dir.appendingPathComponent("x.h5").path] + common)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(lm.path): no landmarks for image"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.h5").path))
    }
}
