import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class AlignJobTests: XCTestCase {
    func testAlignCommandReproducesTheGeneratorsAlignedCrops() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let synth = dir.appendingPathComponent("synth")
        var faces = SyntheticFaces(identities: 4, imagesPerIdentity: 3, seed: 5)
        faces.writeAligned = true
        _ = try faces.write(to: synth.path)
        let out = dir.appendingPathComponent("aligned")
        let r = try TestSupport.scaleface(["align", "--images", synth.appendingPathComponent("images").path,
                                           "--landmarks", synth.appendingPathComponent("landmarks.txt").path,
                                           "--out", out.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let listed = try String(contentsOf: out.appendingPathComponent("paths.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(listed.count, 12)
        // synth aligns its own crops from the exact landmarks it drew; landmarks.txt holds them
        // rounded to a few decimals, so the crops agree up to interpolation differences.
        for p in listed {
            let mine = try RGBImage.decode(path: out.appendingPathComponent(p).path)
            let theirs = try RGBImage.decode(path: synth.appendingPathComponent("aligned").appendingPathComponent(p).path)
            XCTAssertEqual(mine.width, 112)
            XCTAssertEqual(mine.height, 112)
            let diffs = zip(mine.pixels, theirs.pixels).map { abs(Int($0) - Int($1)) }
            let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
            XCTAssertLessThan(mean, 0.5, "\(p): mean absolute difference \(mean)")
        }
    }

    func testBadInputsNameTheFileAndLeaveNothing() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let images = dir.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try RGBImage(width: 40, height: 40, red: 90, green: 60, blue: 30).encodePNG(to: images.appendingPathComponent("ok.png").path)
        let png = try Data(contentsOf: images.appendingPathComponent("ok.png"))
        try png.prefix(png.count / 2).write(to: images.appendingPathComponent("cut.png"))
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 74, 70, 73, 70, 0]).write(to: images.appendingPathComponent("cut.jpg"))
        let points = "10 12 30 12 20 20 12 30 28 30"
        func run(_ landmarkText: String) throws -> TestSupport.Result {
            let lm = dir.appendingPathComponent("lm.txt")
            try landmarkText.write(to: lm, atomically: true, encoding: .utf8)
            return try TestSupport.scaleface(["align", "--images", images.path, "--landmarks", lm.path,
                                              "--out", dir.appendingPathComponent("out").path, "--quiet"])
        }
        func expect(_ r: TestSupport.Result, _ fragment: String, line: UInt = #line) {
            XCTAssertEqual(r.status, 1, line: line)
            XCTAssertTrue(r.stderr.contains(fragment), r.stderr, line: line)
            XCTAssertFalse(TestSupport.entries(dir).contains { $0.hasPrefix("out") || $0.hasPrefix(".out") }, line: line)
        }
        expect(try run("ok.png \(points) 0.9\nmissing.png \(points) 0.9\n"), "missing.png")
        expect(try run("ok.png \(points) 0.9\ncut.png \(points) 0.9\n"), "cut.png")
        expect(try run("cut.jpg \(points) 0.9\n"), "cut.jpg")
        expect(try run("ok.png \(points) 0.9\nok2.png 1 2 3\n"), "lm.txt:2")
        XCTAssertEqual(try run("ok.png \(points) 0.9\n").status, 0)
    }
}
