import Foundation
import XCTest

final class SynthCommandTests: XCTestCase {
    func testCommandWritesADatasetAndRefusesBadInput() throws {
        let scratch = try TestSupport.scratchDirectory(self)
        let out = scratch.appendingPathComponent("synth").path
        let ok = try TestSupport.scaleface(["synth", "--out", out, "--identities", "4", "--images-per-identity", "2",
                                            "--seed", "5", "--size", "48", "--raw-size", "64"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("8 images of 4 identities"), ok.stdout)
        XCTAssertTrue(ok.stderr.contains("synth: 8/8, "), ok.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/images/4/4_0002.png"))

        let again = try TestSupport.scaleface(["synth", "--out", out, "--identities", "4", "--images-per-identity", "2", "--quiet"])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("\(out): exists and is not empty"), again.stderr)
        XCTAssertEqual(again.stdout, "")

        let bad = try TestSupport.scaleface(["synth", "--out", scratch.appendingPathComponent("x").path,
                                             "--identities", "1", "--images-per-identity", "2"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("the number of identities must be at least 2"), bad.stderr)
        let small = try TestSupport.scaleface(["synth", "--out", scratch.appendingPathComponent("y").path,
                                               "--identities", "3", "--images-per-identity", "2", "--raw-size", "100", "--size", "112"])
        XCTAssertNotEqual(small.status, 0)
        XCTAssertTrue(small.stderr.contains("the raw picture size must be within the crop size...2048"), small.stderr)
        // An existing empty directory (as a pipeline stage's output folder) is filled in place.
        let empty = scratch.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        let filled = try TestSupport.scaleface(["synth", "--out", empty.path, "--identities", "2", "--images-per-identity", "2",
                                                "--size", "48", "--raw-size", "48", "--quiet"])
        XCTAssertEqual(filled.status, 0, filled.stderr)
        XCTAssertEqual(filled.stderr, "")
        XCTAssertTrue(TestSupport.entries(empty).contains("landmarks.txt"))
        XCTAssertEqual(TestSupport.entries(scratch), ["empty", "synth"])
    }
}
