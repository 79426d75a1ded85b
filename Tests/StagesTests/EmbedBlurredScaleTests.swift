import Foundation
import XCTest
import Core
@testable import Store
@testable import Pipeline
@testable import Stages

/// `embed --strategies scale,blurred_scale` (docs/strategies.md, "blurred_scale") against the
/// reference's blurred preprocessing in PyTorch and scipy: tools/parity/blurred_scale_fixture.py
/// wrote three 44 x 42 images and the expected values with the nested_f32.pth fixture
/// (Tests/BackboneTests/Fixtures/blurred).
final class EmbedBlurredScaleTests: XCTestCase {
    struct Expected: Decodable {
        let feature: [Float]; let scale: [Float]; let blurred_scale: [String: [Float]]
    }
    static let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures")

    func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("blurred/expected.json")))
    }

    func arguments(_ dir: URL, strategies: String, extra: [String] = []) throws -> [String] {
        let list = dir.appendingPathComponent("list.txt")
        try "face0.png\nface1.png\nface2.png\n".write(to: list, atomically: true, encoding: .utf8)
        return ["--images", Self.fixtures.appendingPathComponent("blurred").path, "--list", list.path,
                "--checkpoint", Self.fixtures.appendingPathComponent("nested_f32.pth").path, "--arch", "iresnet18",
                "--input-size", "40", "--strategies", strategies, "--batch", "2", "--threads", "2"] + extra
    }

    func embed(_ dir: URL, strategies: String, extra: [String] = [], out: String) throws -> EmbeddingStore {
        let job = EmbedJob(try EmbedOptions.parse(try arguments(dir, strategies: strategies, extra: extra)),
                           output: dir.appendingPathComponent(out).path, quiet: true)
        XCTAssertEqual(try job.run(), 3)
        return try EmbeddingStore.open(job.output)
    }

    func assertRelative(_ got: [Float], _ want: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        for (i, (g, w)) in zip(got, want).enumerated() {
            XCTAssertEqual(g, w, accuracy: 1e-4 * abs(w), "\(what) image \(i)", file: file, line: line)
        }
    }

    func testBlurredScaleMatchesPyTorchAndScipyAndKeepsTheUnblurredEmbeddings() throws {
        let e = try expected()
        let dir = try TestSupport.scratchDirectory(self)
        let store = try embed(dir, strategies: "scale,blurred_scale", out: "both.h5")
        let blurred = try store.uncertainty(named: "blurred_scale")
        XCTAssertEqual(blurred.mode, .confidence)
        XCTAssertEqual(blurred.width, 1)
        assertRelative(blurred.values, e.blurred_scale["3.0"]!, "blurred_scale sigma 3 (the default)")
        assertRelative(try store.uncertainty(named: "scale").values, e.scale, "scale")
        assertCloseToScale(try store.embeddings(), e.feature, "unblurred embeddings")
        // The blur changes the value (so the comparison cannot pass on the unblurred pass).
        for (b, s) in zip(e.blurred_scale["3.0"]!, e.scale) { XCTAssertGreaterThan(abs(b - s), 0.01 * abs(s)) }
        XCTAssertEqual(try HDF5File.open(dir.appendingPathComponent("both.h5").path).root.stringAttribute("run_blur_intensity"), "3.0")

        // Another sigma, and blurred_scale alone: the embeddings are still the unblurred ones.
        let alone = try embed(dir, strategies: "blurred_scale", extra: ["--blur-intensity", "1.5"], out: "alone.h5")
        assertRelative(try alone.uncertainty(named: "blurred_scale").values, e.blurred_scale["1.5"]!, "blurred_scale sigma 1.5")
        XCTAssertEqual(try alone.embeddings().map(\.bitPattern), try store.embeddings().map(\.bitPattern))
        XCTAssertEqual(try HDF5File.open(dir.appendingPathComponent("alone.h5").path).root.stringAttribute("run_blur_intensity"), "1.5")

        // distribution --strategies blurred_scale on that store holds the stored values.
        var options = try DistributionOptions.parse(["--store", dir.appendingPathComponent("both.h5").path,
                                                     "--strategies", "blurred_scale"])
        options.bins = 10
        let out = dir.appendingPathComponent("dist").path
        try DistributionJob(options, output: out).run()
        XCTAssertEqual(try NpyFile.readFloats(out + "/blurred_scale.npy").values, blurred.values)
    }

    func testBlurIntensityWithoutBlurredScaleOrOutOfRangeIsAOneLineError() throws {
        let dir = try TestSupport.scratchDirectory(self)
        for (strategies, sigma, message) in [("scale", "3", "--blur-intensity is used only by strategy blurred_scale"),
                                             ("blurred_scale", "-1", "--blur-intensity must be a sigma between 0 and 64 (got -1.0)"),
                                             ("blurred_scale", "nan", "--blur-intensity must be a sigma between 0 and 64")] {
            XCTAssertThrowsError(try EmbedOptions.parse(try arguments(dir, strategies: strategies, extra: ["--blur-intensity=\(sigma)"]))) {
                XCTAssertTrue(EmbedOptions.message(for: $0).contains(message), EmbedOptions.message(for: $0))
            }
        }
        let bare = try EmbedOptions.parse(try arguments(dir, strategies: "blurred_scale").map {
            $0.hasSuffix("nested_f32.pth") ? Self.fixtures.appendingPathComponent("bare_f32.pth").path : $0
        })
        XCTAssertThrowsError(try EmbedJob(bare, output: dir.appendingPathComponent("o.h5").path, quiet: true).run()) {
            XCTAssertTrue("\($0)".contains("strategy 'blurred_scale' needs a 'scale_predictor' section"), "\($0)")
        }
    }

    /// In a pipeline the blur intensity is part of the embed stage's cache key.
    func testTheBlurIntensityIsInThePipelineKey() throws {
        let dir = try TestSupport.scratchDirectory(self)
        func key(_ sigma: String) throws -> String {
            let yaml = dir.appendingPathComponent("p.yaml")
            try """
            name: blur
            outputs: out
            cache: out/cache
            stages:
              features:
                kind: embed
                params: {images: \(Self.fixtures.appendingPathComponent("blurred").path), list: \(Self.fixtures.appendingPathComponent("blurred/expected.json").path),
                         checkpoint: \(Self.fixtures.appendingPathComponent("nested_f32.pth").path),
                         arch: iresnet18, input_size: 40, strategies: [blurred_scale], blur_intensity: \(sigma)}
            """.write(to: yaml, atomically: true, encoding: .utf8)
            return try Runner(pipeline: try PipelineFile.load(yaml.path), registry: StageRegistry.kinds).plan()[0].key
        }
        XCTAssertNotEqual(try key("3"), try key("1.5"))
        XCTAssertEqual(try key("3"), try key("3"))
    }
}
