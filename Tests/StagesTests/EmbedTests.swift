import Foundation
import XCTest
import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline
@testable import Checkpoint
@testable import Training

/// The embed stage on the PyTorch parity fixtures (Tests/BackboneTests/Fixtures, written by
/// tools/parity/make_fixtures.py): a 40 x 40, reduced-width iResNet-18 topology.
final class EmbedTests: XCTestCase {
    static let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures")

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    func floats(_ name: String) throws -> [Float] { try TestSupport.floats(Self.fixtures.appendingPathComponent(name)) }

    func assertClose(_ a: [Float], _ e: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        assertCloseToScale(a, e, what, file: file, line: line)
    }

    func makeList(_ dir: URL) throws -> String {
        let list = dir.appendingPathComponent("list.txt")
        try "png/face2.png\npng/face0.png\n\npng/face1.png\n".write(to: list, atomically: true, encoding: .utf8)
        return list.path
    }

    func stage(_ dir: URL, checkpoint: String, strategies: [EmbedStrategy]) throws -> EmbedJob {
        let options = try EmbedOptions.parse([
            "--images", Self.fixtures.path, "--list", try makeList(dir), "--checkpoint", checkpoint, "--arch", "iresnet18",
            "--strategies", strategies.map(\.rawValue).joined(separator: ","), "--batch", "2", "--threads", "2",
            "--input-size", "40",
        ])
        return EmbedJob(options, output: dir.appendingPathComponent("out.h5").path, quiet: true)
    }

    func testEmbedWritesFeatureAndEveryStrategyInListOrder() throws {
        let dir = try TestSupport.scratchDirectory(self)
        for checkpoint in ["nested_f32.pth", "nested_f32.h5"] {
            if checkpoint.hasSuffix(".h5") {
                // The HDF5 weights layout must load to the same network.
                let w = try WeightsFile.load(path: fixture("nested_f32.pth"))
                try WeightsFile.write(w, to: dir.appendingPathComponent(checkpoint).path, source: "nested_f32.pth")
            }
            let path = checkpoint.hasSuffix(".h5") ? dir.appendingPathComponent(checkpoint).path : fixture(checkpoint)
            let s = try stage(dir, checkpoint: path, strategies: [.embNorm, .scale, .head])
            try? FileManager.default.removeItem(atPath: s.output)
            XCTAssertEqual(try s.run(), 3)
            let store = try EmbeddingStore.open(s.output)
            XCTAssertEqual(try store.paths(), ["png/face2.png", "png/face0.png", "png/face1.png"])
            let order = [2, 0, 1]
            let feature = try floats("nested_f32.feature.f32"), e = 32
            let expected = order.flatMap { Array(feature[($0 * e)..<(($0 + 1) * e)]) }
            assertClose(try store.embeddings(), expected, "\(checkpoint) embeddings")
            let norms = order.map { i in (0..<e).map { feature[i * e + $0] * feature[i * e + $0] }.reduce(0, +).squareRoot() }
            let embNorm = try store.uncertainty(named: "emb_norm")
            XCTAssertEqual(embNorm.mode, .confidence)
            assertClose(embNorm.values, norms, "emb_norm")
            let scale = try floats("nested_f32.scale_exp.f32")
            let storedScale = try store.uncertainty(named: "scale")
            XCTAssertEqual(storedScale.mode, .confidence)
            assertClose(storedScale.values, order.map { scale[$0] }, "scale")
            let logSigma = try floats("nested_f32.log_sigma_sq.f32")
            let head = try store.uncertainty(named: "head")
            XCTAssertEqual(head.mode, .uncertainty)
            XCTAssertEqual(head.width, 32)
            assertClose(head.values, order.flatMap { i in (0..<32).map { exp(logSigma[i * 32 + $0]) } }, "head sigma^2")
        }
    }

    /// A larger image is center-cropped (docs/images.md): a 44 x 44 frame around a fixture
    /// face embeds exactly like the 40 x 40 face.
    func testLargerImagesAreCenterCropped() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let face = try RGBImage.decode(path: fixture("png/face1.png"))
        var pixels = [UInt8](repeating: 255, count: 44 * 44 * 3)
        for y in 0..<40 { for x in 0..<40 { for c in 0..<3 { pixels[((y + 2) * 44 + x + 2) * 3 + c] = face.pixels[(y * 40 + x) * 3 + c] } } }
        try RGBImage(width: 44, height: 44, pixels: pixels).encodePNG(to: dir.appendingPathComponent("framed.png").path)
        var s = try stage(dir, checkpoint: fixture("bare_f32.pth"), strategies: [.embNorm])
        s.options.images = InputFolder(path: dir.path)
        try "framed.png\n".write(toFile: s.options.list.path, atomically: true, encoding: .utf8)
        try s.run()
        let feature = try floats("bare_f32.feature.f32")
        assertClose(try EmbeddingStore.open(s.output).embeddings(), Array(feature[32..<64]), "center-cropped face")
    }

    func testAnHDF5FileThatIsNotWeightsIsRefused() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let s = try stage(dir, checkpoint: fixture("bare_f32.pth"), strategies: [.embNorm])
        try s.run()
        var again = s
        again.options.checkpoint = InputFile(path: s.output)
        again.output = dir.appendingPathComponent("second.h5").path
        XCTAssertThrowsError(try again.run()) {
            XCTAssertTrue(String(describing: $0).contains("is an HDF5 file but not scaleface weights"), String(describing: $0))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: again.output))
    }

    func testMaliciousCheckpointWritesNoStore() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let marker = "/tmp/scaleface-malicious-checkpoint-ran"
        try? FileManager.default.removeItem(atPath: marker)
        let out = dir.appendingPathComponent("out.h5").path
        let r = try TestSupport.run(TestSupport.binary, ["embed", "--images", Self.fixtures.path, "--list", try makeList(dir),
                                                          "--checkpoint", fixture("malicious.pth"), "--arch", "iresnet18",
                                                          "--quiet", "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("refuses global posix.system"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".partial"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["list.txt"])
    }

    func testMissingHeadAndWrongImageSizeLeaveNothing() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let s = try stage(dir, checkpoint: fixture("bare_f32.pth"), strategies: [.scale])
        XCTAssertThrowsError(try s.run()) {
            XCTAssertTrue(String(describing: $0).contains("needs a 'scale_predictor' section"), String(describing: $0))
        }
        var wrongSize = try stage(dir, checkpoint: fixture("bare_f32.pth"), strategies: [.embNorm])
        wrongSize.options.inputSize = 112
        XCTAssertThrowsError(try wrongSize.run()) {
            XCTAssertTrue(String(describing: $0).contains("bare_f32.pth"), String(describing: $0))
        }
        var wrongImage = try stage(dir, checkpoint: fixture("bare_f32.pth"), strategies: [.embNorm])
        try "png/face0.png\nmanifest.json\n".write(toFile: wrongImage.options.list.path, atomically: true, encoding: .utf8)
        wrongImage.options.batch = 1
        XCTAssertThrowsError(try wrongImage.run()) {
            XCTAssertTrue(String(describing: $0).contains("manifest.json: not a PNG or JPEG file"), String(describing: $0))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.output))
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.output + ".partial"))
    }
}
