import Foundation
import XCTest
import Store

/// `scaleface train-head` and `scaleface heads` as a user runs them: exit status, files,
/// progress on stderr, one-line errors.
final class TrainHeadCommandTests: XCTestCase {
    func testTrainHeadThenHeadsFromTheCommandLine() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let store = dir.appendingPathComponent("s.h5").path
        try TrainHeadTests.makeStore(store)
        let out = dir.appendingPathComponent("scale").path
        let r = try TestSupport.run(TestSupport.binary, ["train-head", "--store", store, "--kind", "scale", "--epochs", "3",
                                                         "--batch", "24", "--lr", "0.05", "--hidden", "16", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("train-head: centres batches: 25/25, epoch 5/5, loss "), r.stderr)
        XCTAssertTrue(r.stderr.contains("train-head: scale head batches: 15/15, epoch 3/3, loss "), r.stderr)
        XCTAssertTrue(r.stdout.contains("over 3 epochs"), r.stdout)
        for ext in [".pth", ".h5", "-loss.png"] { XCTAssertTrue(FileManager.default.fileExists(atPath: out + ext), ext) }

        let quiet = try TestSupport.run(TestSupport.binary, ["heads", "--store", store, "--checkpoint", out + ".pth",
                                                             "--strategies", "scale", "--out", dir.appendingPathComponent("t.h5").path, "--quiet"])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "")
        XCTAssertEqual(quiet.stdout, "")
        let s = try EmbeddingStore.open(dir.appendingPathComponent("t.h5").path)
        XCTAssertEqual(try s.uncertainty(named: "scale").values.count, s.count)
    }

    func testErrorsAreOneLineAndLeaveNothingBehind() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let store = dir.appendingPathComponent("nb.h5").path
        try TrainHeadTests.makeStore(store, bottleneck: false)
        let out = dir.appendingPathComponent("x").path
        let r = try TestSupport.run(TestSupport.binary, ["train-head", "--store", store, "--kind", "pfe", "--epochs", "1",
                                                         "--batch", "8", "--lr", "0.01", "--out", out, "--quiet"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("nb.h5: store has no /bottleneck"), r.stderr)
        let h = try TestSupport.run(TestSupport.binary, ["heads", "--store", store, "--checkpoint", "missing.pth",
                                                         "--strategies", "scale,emb_norm"])
        XCTAssertNotEqual(h.status, 0)
        XCTAssertTrue(h.stderr.contains("strategy 'emb_norm' is not made by heads"), h.stderr)
        let contents = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(contents, ["nb.h5"])
    }
}
