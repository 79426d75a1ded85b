import Foundation
import XCTest
@testable import Backbone
@testable import Checkpoint

/// The StyleGAN2 discriminator against PyTorch (tools/parity/gan_fixtures.py, written from
/// docs/strategies.md, GAN): the shipped 256 / cm 2 network from seed weights, and a reduced
/// one loaded from key `d` of a committed training checkpoint with an `argparse.Namespace`.
final class DiscriminatorParityTests: XCTestCase {
    struct Full: Decodable { let seed: UInt64; let image_seed: UInt64; let images: Int; let height: Int; let width: Int
                             let batch4: [Float]; let single0: [Float] }
    struct Small: Decodable { let seed: UInt64; let image_seed: UInt64; let height: Int; let width: Int
                              let channels: [String: Int]; let outputs: [String: [Float]]; let malicious_marker: String }
    static let dir = Fixtures.committed.appendingPathComponent("gan")

    func json<T: Decodable>(_ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: Self.dir.appendingPathComponent(name)))
    }

    func testShippedGeometryMatchesPyTorchOnABatchOfFourAndAlone() throws {
        let f: Full = try json("full.json")
        let weights = DiscriminatorSeedWeights.weights(seed: f.seed, config: .reference)
        XCTAssertEqual(weights.names.count, 50)
        XCTAssertEqual(weights.names.filter { !$0.hasSuffix("kernel") }.map { weights[$0]!.count }.reduce(0, +), 28_864_129)
        let net = try StyleGAN2Discriminator(weights: weights)
        let x = DiscriminatorSeedWeights.input(seed: f.image_seed, count: f.images, height: f.height, width: f.width, size: 256)
        let ws = net.makeWorkspace(threads: 2)
        assertParity(net.forward(x, batch: 4, workspace: ws), f.batch4, "batch of 4")
        assertParity(net.forward(Array(x[0..<(3 * 256 * 256)]), batch: 1, workspace: ws), f.single0, "image 0 alone")
    }

    func smallConfig(_ s: Small) -> DiscriminatorConfig {
        DiscriminatorConfig(size: 16, channels: Dictionary(uniqueKeysWithValues: s.channels.map { (Int($0.key)!, $0.value) }))!
    }

    func testTrainingCheckpointLoadsKeyDAndMatchesPyTorchForEveryGrouping() throws {
        let s: Small = try json("small.json")
        let net = try StyleGAN2Discriminator.load(checkpoint: Self.dir.appendingPathComponent("small.pth").path, config: smallConfig(s))
        let x = DiscriminatorSeedWeights.input(seed: s.image_seed, count: 8, height: s.height, width: s.width, size: 16)
        for threads in [1, 2] {
            let ws = net.makeWorkspace(threads: threads)
            for b in [8, 4, 3, 2, 1] {
                let got = net.forward(Array(x[0..<(b * 3 * 16 * 16)]), batch: b, workspace: ws)
                assertParity(got, s.outputs[String(b)]!, "batch \(b), \(threads) threads")
            }
        }
        // The seed weights are the checkpoint's `d`: the generator agrees with the script.
        let d = try Checkpoint.load(path: Self.dir.appendingPathComponent("small.pth").path, section: "d").section("d")
        let seeded = DiscriminatorSeedWeights.weights(seed: s.seed, config: smallConfig(s))
        XCTAssertEqual(d.names, seeded.names)
        for n in d.names { XCTAssertEqual(d[n], seeded[n], n) }
    }

    func testOtherGlobalsAreRefusedByName() throws {
        let s: Small = try json("small.json")
        unlink(s.malicious_marker)
        let path = Self.dir.appendingPathComponent("small_malicious.pth").path
        XCTAssertThrowsError(try StyleGAN2Discriminator.load(checkpoint: path, config: smallConfig(s))) {
            XCTAssertTrue("\($0)".contains("refuses global posix.system"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.malicious_marker))
    }

    func testStrictKeysAndShapesNameTheKey() throws {
        let s: Small = try json("small.json")
        let config = smallConfig(s)
        var w = DiscriminatorSeedWeights.weights(seed: s.seed, config: config)
        w.remove("convs.2.skip.0.kernel")
        w.set("convs.1.conv1.1.bias", Tensor(shape: [5], values: [Float](repeating: 0, count: 5)))
        w.set("extra.weight", Tensor(shape: [1], values: [0]))
        XCTAssertThrowsError(try StyleGAN2Discriminator(config: config, weights: w, prefix: "d")) {
            let m = "\($0)"
            XCTAssertTrue(m.contains("missing keys: d.convs.2.skip.0.kernel"), m)
            XCTAssertTrue(m.contains("d.convs.1.conv1.1.bias is [5], expected [4]"), m)
            XCTAssertTrue(m.contains("unexpected keys: d.extra.weight"), m)
        }
        // The shipped geometry refuses the small network's tensors.
        XCTAssertThrowsError(try StyleGAN2Discriminator.load(checkpoint: Self.dir.appendingPathComponent("small.pth").path))
    }

    func testGroupingRule() {
        XCTAssertEqual((1...16).filter { StyleGAN2Discriminator.canGroup(batch: $0) }, [1, 2, 3, 4, 8, 12, 16])
    }
}
