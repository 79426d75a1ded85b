import Foundation
import XCTest
@testable import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// `embed --skip-bad-images`: corrupt, truncated and missing images are left out and listed;
/// without the flag the first one stops the run, naming the file.
final class EmbedSkipTests: XCTestCase {
    func testBadImagesAreListedAndTheirPairsDropped() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let images = dir.appendingPathComponent("img")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: 1)
        var names: [String] = []
        for i in 0..<12 {
            let pixels = (0..<(40 * 40 * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            try RGBImage(width: 40, height: 40, pixels: pixels).encodePNG(to: images.appendingPathComponent("\(i).png").path)
            names.append("\(i).png")
        }
        let png = try Data(contentsOf: images.appendingPathComponent("0.png"))
        try png.prefix(png.count / 2).write(to: images.appendingPathComponent("cut.png"))
        try Data([0xFF, 0xD8, 0xFF, 0xDB, 0, 3, 1]).write(to: images.appendingPathComponent("bad.jpg"))
        names.insert("cut.png", at: 3)
        names.insert("bad.jpg", at: 7)
        names.append("missing.png")
        let list = dir.appendingPathComponent("list.txt")
        try (names.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("s.h5").path
        let args = ["embed", "--images", images.path, "--list", list.path, "--input-size", "40", "--arch", "iresnet18",
                    "--checkpoint", TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures/bare_f32.pth").path,
                    "--batch", "4", "--quiet", "--out", out]

        let strict = try TestSupport.scaleface(args)
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.stderr.contains("cut.png"), strict.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertFalse(FileManager.default.fileExists(atPath: StoreFormat.partialPath(for: out)))

        let lenient = try TestSupport.scaleface(args + ["--skip-bad-images"])
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        let store = try EmbeddingStore.open(out)
        XCTAssertEqual(try store.paths(), (0..<12).map { "\($0).png" })
        let skipped = try String(contentsOfFile: out + ".skipped.txt", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(skipped.map { String($0.split(separator: "\t")[0]) }, ["bad.jpg", "cut.png", "missing.png"])
        XCTAssertTrue(skipped.allSatisfy { $0.split(separator: "\t").count == 2 }, "each with a reason")

        let pairs = dir.appendingPathComponent("pairs.csv")
        try "0.png,1.png,1\n2.png,cut.png,1\n4.png,5.png,0\n6.png,8.png,0\n9.png,10.png,0\nmissing.png,11.png,0\n"
            .write(to: pairs, atomically: true, encoding: .utf8)
        let reject = ["reject", "--store", out, "--pairs", pairs.path, "--strategy", "emb_norm", "--metrics", "cosine_mean",
                      "--fars", "0.5", "--portions", "0,0.25"]
        let refused = try TestSupport.scaleface(reject + ["--out", dir.appendingPathComponent("r1").path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("image 'cut.png' is not in the store"), refused.stderr)
        let kept = try TestSupport.scaleface(reject + ["--exclude-images", out + ".skipped.txt", "--out", dir.appendingPathComponent("r2").path])
        XCTAssertEqual(kept.status, 0, kept.stderr)
        XCTAssertTrue(kept.stderr.contains("dropped 2 pairs"), kept.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("r2/results.json"))) as? [String: Any]
        XCTAssertEqual(json?["pairs"] as? Int, 4)
    }
}
