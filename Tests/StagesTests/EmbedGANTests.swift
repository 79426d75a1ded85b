import Crypto
import Foundation
import XCTest
import Backbone
import Checkpoint
import Core
@testable import Imaging
@testable import Pipeline
@testable import Stages
@testable import Store

/// `embed --strategies emb_norm,GAN --discriminator FILE` (docs/strategies.md, GAN) against
/// PyTorch: tools/parity/gan_embed_fixture.py runs the shipped 256 / cm 2 discriminator with
/// SplitMix64 seed weights on the same uncropped seed images in the batches of an embed run
/// with batch size 4 (Tests/BackboneTests/Fixtures/gan/embed.json). The 115 MB checkpoint is
/// written at test time from the same seed weights and deleted afterwards.
final class EmbedGANTests: XCTestCase {
    struct Expected: Decodable {
        let seed: UInt64; let image_seed: UInt64; let images: Int; let height: Int; let width: Int; let batch: Int
        let gan: [Float]
    }
    static let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures")
    static let ganFixtures = fixtures.appendingPathComponent("gan")

    func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.ganFixtures.appendingPathComponent("embed.json")))
    }

    /// `count` seed images (48 x 44, larger than the backbone's 40 x 40 crop) as PNG files and their list.
    func makeImages(_ dir: URL, count: Int, seed: UInt64, height: Int, width: Int) throws -> URL {
        let images = dir.appendingPathComponent("img")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for b in 0..<count {
            let pixels = DiscriminatorSeedWeights.image(seed: seed, index: b, height: height, width: width)
            try RGBImage(width: width, height: height, pixels: pixels).encodePNG(to: images.appendingPathComponent("\(b).png").path)
        }
        let list = dir.appendingPathComponent("list.txt")
        try ((0..<count).map { "\($0).png" }.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        return list
    }

    func arguments(_ dir: URL, list: URL, strategies: String, batch: Int, discriminator: String?) -> [String] {
        ["--images", dir.appendingPathComponent("img").path, "--list", list.path,
         "--checkpoint", Self.fixtures.appendingPathComponent("bare_f32.pth").path, "--arch", "iresnet18",
         "--input-size", "40", "--strategies", strategies, "--batch", "\(batch)", "--threads", "2"]
            + (discriminator.map { ["--discriminator", $0] } ?? [])
    }

    func job(_ dir: URL, list: URL, strategies: String, batch: Int, discriminator: String?, out: String) throws -> EmbedJob {
        EmbedJob(try EmbedOptions.parse(arguments(dir, list: list, strategies: strategies, batch: batch, discriminator: discriminator)),
                 output: dir.appendingPathComponent(out).path, quiet: true)
    }

    func testGANOfUncroppedImagesMatchesPyTorchInBatchesOfFourAndAFinalBatch() throws {
        let e = try expected()
        let dir = try TestSupport.scratchDirectory(self)
        let list = try makeImages(dir, count: e.images, seed: e.image_seed, height: e.height, width: e.width)
        let checkpoint = dir.appendingPathComponent("stylegan.pth").path
        try CheckpointWriter.write(sections: [("d", DiscriminatorSeedWeights.weights(seed: e.seed, config: .reference))], to: checkpoint)
        defer { unlink(checkpoint) }

        let gan = try job(dir, list: list, strategies: "emb_norm,GAN", batch: e.batch, discriminator: checkpoint, out: "gan.h5")
        XCTAssertEqual(try gan.run(), e.images)
        let store = try EmbeddingStore.open(gan.output)
        let values = try store.uncertainty(named: "GAN")
        XCTAssertEqual(values.mode, .uncertainty)
        XCTAssertEqual(values.width, 1)
        XCTAssertEqual(values.values.count, e.images)
        let scale = e.gan.map { abs($0) }.max()!
        for (i, (got, want)) in zip(values.values, e.gan).enumerated() {
            XCTAssertEqual(got, want, accuracy: 1e-4 * scale, "image \(i)")
        }
        // The images differ, so a value taken from the wrong image or batch would show.
        XCTAssertGreaterThan(e.gan.max()! - e.gan.min()!, 0.1)

        // The store records the discriminator file's SHA-256.
        let digest = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: checkpoint))).map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(try HDF5File.open(gan.output).root.stringAttribute("run_discriminator_sha256"), digest)

        // The backbone pass is untouched by the GAN pass: the same embeddings and emb_norm as without it.
        let plain = try job(dir, list: list, strategies: "emb_norm", batch: e.batch, discriminator: nil, out: "plain.h5")
        try plain.run()
        let without = try EmbeddingStore.open(plain.output)
        XCTAssertEqual(try store.embeddings().map(\.bitPattern), try without.embeddings().map(\.bitPattern))
        XCTAssertEqual(try store.uncertainty(named: "emb_norm").values, try without.uncertainty(named: "emb_norm").values)
        XCTAssertNil(try HDF5File.open(plain.output).root.stringAttribute("run_discriminator_sha256"))
    }

    func testGANWithoutDiscriminatorAndDiscriminatorWithoutGANAreOneLineErrors() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let list = try makeImages(dir, count: 1, seed: 1, height: 40, width: 40)
        let out = dir.appendingPathComponent("out.h5").path
        let missing = try TestSupport.scaleface(["embed"] + arguments(dir, list: list, strategies: "emb_norm,GAN", batch: 4, discriminator: nil)
                                                + ["--quiet", "--out", out])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("strategy GAN needs --discriminator FILE"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").filter { $0.hasPrefix("Error") }.count, 1, missing.stderr)
        let unused = Self.ganFixtures.appendingPathComponent("small.pth").path
        XCTAssertThrowsError(try EmbedOptions.parse(arguments(dir, list: list, strategies: "emb_norm", batch: 4, discriminator: unused))) {
            XCTAssertTrue(EmbedOptions.message(for: $0).contains("--discriminator is used only by strategy GAN"), EmbedOptions.message(for: $0))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// A batch the minibatch-stddev groups cannot split is refused before anything is read:
    /// the discriminator named is the malicious fixture, which must not even be opened.
    func testUnsplittableBatchesAreRefusedBeforeAnyWork() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let list = try makeImages(dir, count: 13, seed: 1, height: 40, width: 40)
        let small: Small = try JSONDecoder().decode(Small.self, from: Data(contentsOf: Self.ganFixtures.appendingPathComponent("small.json")))
        unlink(small.malicious_marker)
        let malicious = Self.ganFixtures.appendingPathComponent("small_malicious.pth").path
        for (batch, message) in [(8, "13 images in batches of 8 give a final batch of 5, and a batch of 5 cannot be split"),
                                 (6, "13 images in batches of 6 give a final batch of 1, and a batch of 6 cannot be split"),
                                 (16, "13 images in batches of 16 give a final batch of 13, and a batch of 13 cannot be split")] {
            let s = try job(dir, list: list, strategies: "emb_norm,GAN", batch: batch, discriminator: malicious, out: "out.h5")
            XCTAssertThrowsError(try s.run()) {
                XCTAssertTrue("\($0)".contains(message), "\($0)")
                XCTAssertTrue("\($0)".contains("use batch size 4 (--batch 4)"), "\($0)")
                XCTAssertFalse("\($0)".contains("\n"), "\($0)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: s.output))
            XCTAssertFalse(FileManager.default.fileExists(atPath: StoreFormat.partialPath(for: s.output)))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: small.malicious_marker))
    }

    struct Small: Decodable { let malicious_marker: String }

    func testMaliciousOrMisshapenDiscriminatorWritesNoStore() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let list = try makeImages(dir, count: 3, seed: 1, height: 40, width: 40)
        let small: Small = try JSONDecoder().decode(Small.self, from: Data(contentsOf: Self.ganFixtures.appendingPathComponent("small.json")))
        unlink(small.malicious_marker)
        let out = dir.appendingPathComponent("out.h5").path
        let r = try TestSupport.scaleface(["embed"] + arguments(dir, list: list, strategies: "GAN", batch: 4,
                                                               discriminator: Self.ganFixtures.appendingPathComponent("small_malicious.pth").path)
                                          + ["--quiet", "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("refuses global posix.system"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: small.malicious_marker))
        // The reduced test network is not the reference's 256 / cm 2 geometry: refused by key.
        let wrong = try job(dir, list: list, strategies: "GAN", batch: 4,
                            discriminator: Self.ganFixtures.appendingPathComponent("small.pth").path, out: "out.h5")
        XCTAssertThrowsError(try wrong.run()) { XCTAssertTrue("\($0)".contains("d.convs.0.0.weight"), "\($0)") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["img", "list.txt"])
    }

    /// In a pipeline the discriminator file is part of the embed stage's cache key by content.
    func testTheDiscriminatorsContentIsInThePipelineKey() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let list = try makeImages(dir, count: 4, seed: 1, height: 40, width: 40)
        let d = dir.appendingPathComponent("d.pth")
        try FileManager.default.copyItem(at: Self.ganFixtures.appendingPathComponent("small.pth"), to: d)
        let yaml = dir.appendingPathComponent("p.yaml")
        try """
        name: gan
        outputs: out
        cache: out/cache
        stages:
          features:
            kind: embed
            params: {images: img, list: \(list.lastPathComponent), checkpoint: \(Self.fixtures.appendingPathComponent("bare_f32.pth").path),
                     arch: iresnet18, input_size: 40, strategies: [emb_norm, GAN], discriminator: d.pth, batch: 4}
        """.write(to: yaml, atomically: true, encoding: .utf8)
        func key() throws -> String { try Runner(pipeline: try PipelineFile.load(yaml.path), registry: StageRegistry.kinds).plan()[0].key }
        let first = try key()
        XCTAssertEqual(try key(), first)
        try Data(contentsOf: Self.ganFixtures.appendingPathComponent("small_malicious.pth")).write(to: d)
        XCTAssertNotEqual(try key(), first)
        try Data(contentsOf: Self.ganFixtures.appendingPathComponent("small.pth")).write(to: d)
        XCTAssertEqual(try key(), first)
    }
}
