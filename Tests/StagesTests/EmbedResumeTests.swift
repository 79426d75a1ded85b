import Foundation
import XCTest
@testable import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

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

    private func arguments(_ dir: URL, list: URL, out: String, batch: Int = 3, threads: Int = 1) -> [String] {
        ["embed", "--images", dir.appendingPathComponent("img").path, "--list", list.path,
         "--checkpoint", Self.fixtures.appendingPathComponent("nested_f32.pth").path, "--arch", "iresnet18",
         "--strategies", "emb_norm,scale,head", "--input-size", "40", "--batch", "\(batch)", "--threads", "\(threads)",
         "--keep-bottleneck", "--out", out]
    }

    /// Starts `scaleface` and SIGKILLs it after `microseconds`; the rows its partial store at
    /// `out` has committed then, or nil when there is none.
    @discardableResult
    private func runKilled(_ arguments: [String], after microseconds: Int, out: String) throws -> Int? {
        let p = Process()
        p.executableURL = TestSupport.binary
        p.arguments = arguments + ["--quiet"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(UInt32(microseconds))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        return (try? EmbeddingStore.open(StoreFormat.partialPath(for: out), allowIncomplete: true))?.committedRows
    }

    /// A partial store at `out` killed part way (0 < committed rows < 400), found by adjusting
    /// the moment of the kill; returns the committed rows.
    private func interruptedStore(_ arguments: [String], out: String) throws -> Int {
        var delay = 600_000
        for _ in 0..<12 {
            unlink(StoreFormat.partialPath(for: out))
            unlink(out)
            let committed = try runKilled(arguments, after: delay, out: out)
            if let committed, committed > 0, committed < 400 { return committed }
            delay = FileManager.default.fileExists(atPath: out) ? delay / 2 : delay * 3 / 2
        }
        XCTFail("no kill landed mid-run")
        return 0
    }

    /// Every dataset of two stores is the same, bit for bit.
    private func assertSameStore(_ reference: String, _ other: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let a = try EmbeddingStore.open(reference), b = try EmbeddingStore.open(other)
        XCTAssertEqual(try a.paths(), try b.paths(), file: file, line: line)
        XCTAssertEqual(try a.embeddings().map(\.bitPattern), try b.embeddings().map(\.bitPattern), file: file, line: line)
        for s in ["emb_norm", "scale", "head"] {
            XCTAssertEqual(try a.uncertainty(named: s).values.map(\.bitPattern), try b.uncertainty(named: s).values.map(\.bitPattern),
                           s, file: file, line: line)
        }
        XCTAssertEqual(try a.bottleneckFeatures()?.map(\.bitPattern), try b.bottleneckFeatures()?.map(\.bitPattern), file: file, line: line)
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
            // 0.15 to 1.05 s. A run that finished before its kill ends the series: a later run
            // would embed the finished store anew rather than resume it.
            let committed = try runKilled(arguments(dir, list: list, out: out), after: 150_000 + Int(rng.next() % 900_000), out: out)
            if FileManager.default.fileExists(atPath: out) { break }
            if let committed { resumedFrom.append(committed) }
        }
        XCTAssertEqual(resumedFrom, resumedFrom.sorted(), "committed rows never go backwards")
        if FileManager.default.fileExists(atPath: out) {
            // Finished under the kills: its rows must still equal the uninterrupted run's.
            try assertSameStore(reference, out)
            unlink(out)
            resumedFrom.append(try interruptedStore(arguments(dir, list: list, out: out), out: out))
        }
        XCTAssertTrue(resumedFrom.contains { $0 > 0 && $0 < 400 }, "some kill landed mid-run: \(resumedFrom)")
        let last = try TestSupport.scaleface(arguments(dir, list: list, out: out))
        XCTAssertEqual(last.status, 0, last.stderr)
        if let before = resumedFrom.last, before > 0, before < 400 {
            XCTAssertTrue(last.stderr.contains("continuing \(out) after \(before) of 400"), last.stderr)
        }
        try assertSameStore(reference, out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: StoreFormat.partialPath(for: out)))
    }

    /// A rerun with another batch size, thread count or shard than the interrupted run is
    /// refused with one line naming the setting, never a flag (docs/store.md: a row's bits
    /// depend on its batch and on the batch's split between threads); the partial store is
    /// left byte for byte as it was and still resumes with the original settings to the
    /// uninterrupted store.
    func testChangedBatchSizeThreadsOrShardIsRefusedAndThePartialStoreSurvives() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let list = try makeImages(dir)
        let reference = dir.appendingPathComponent("reference.h5").path
        XCTAssertEqual(try TestSupport.scaleface(arguments(dir, list: list, out: reference) + ["--quiet"]).status, 0)

        let out = dir.appendingPathComponent("resumed.h5").path
        let partial = StoreFormat.partialPath(for: out)
        let committed = try interruptedStore(arguments(dir, list: list, out: out), out: out)
        let before = try Data(contentsOf: URL(fileURLWithPath: partial))
        let discard = "or restart to discard the \(committed) finished rows"
        for (changed, line) in [
            (arguments(dir, list: list, out: out, batch: 4),
             "was started with batch size 3, this run uses 4; rerun with the same batch size, \(discard)"),
            (arguments(dir, list: list, out: out, threads: 2),
             "was started with thread count 1, this run uses 2; rerun with the same thread count, \(discard)"),
            (arguments(dir, list: list, out: out) + ["--shard", "0/2"],
             "was started with shard 0/1, this run uses 0/2; rerun with the same shard, \(discard)"),
        ] {
            let r = try TestSupport.scaleface(changed + ["--quiet"])
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertEqual(r.stderr, "Error: \(partial): \(line)\n")
            XCTAssertFalse(r.stderr.contains("--"), "names the setting, not a flag: \(r.stderr)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: partial)), before, "the partial store is left as it was")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }

        let r = try TestSupport.scaleface(arguments(dir, list: list, out: out))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("continuing \(out) after \(committed) of 400"), r.stderr)
        try assertSameStore(reference, out)
    }

    /// A rerun with another image list (a path removed, or two swapped) is refused, naming the
    /// image list, and leaves the partial store as it was.
    func testChangedImageListIsRefusedAndThePartialStoreSurvives() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let list = try makeImages(dir)
        let out = dir.appendingPathComponent("resumed.h5").path
        let partial = StoreFormat.partialPath(for: out)
        let committed = try interruptedStore(arguments(dir, list: list, out: out), out: out)
        let before = try Data(contentsOf: URL(fileURLWithPath: partial))
        let names = (0..<400).map { "\($0).png" }
        var swapped = names
        swapped.swapAt(0, 1)
        for (label, changed) in [("removed", Array(names.dropLast())), ("reordered", swapped)] {
            let other = dir.appendingPathComponent("\(label).txt")
            try (changed.joined(separator: "\n") + "\n").write(to: other, atomically: true, encoding: .utf8)
            let r = try TestSupport.scaleface(arguments(dir, list: other, out: out) + ["--quiet"])
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("Error: \(partial): was started with image list "), label + ": " + r.stderr)
            XCTAssertTrue(r.stderr.hasSuffix("; rerun with the same image list, or restart to discard the \(committed) finished rows\n"),
                          label + ": " + r.stderr)
            XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: partial)), before, label)
        }
        let r = try TestSupport.scaleface(arguments(dir, list: list, out: out) + ["--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try EmbeddingStore.open(out).count, 400)
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
        XCTAssertTrue(bad.stderr.contains("shard takes I/N with 0 <= I < N"), bad.stderr)
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
