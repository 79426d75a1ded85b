import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// Random demonstration trunks: complete under the reference's names, reproducible, with the
/// stated initial distributions, and runnable.
final class IResNetInitializerTests: XCTestCase {
    let config = IResNetConfig(blocks: [2, 2, 2, 2], widths: [8, 16, 32, 64], inputSize: 32, embeddingSize: 16)

    func testWeightsLoadIntoTheNetworkAndRun() throws {
        let w = IResNetInitializer.weights(config: config, seed: 1)
        // The loader rejects missing, mis-shaped and unexpected keys.
        let net = try IResNet(config: config, weights: w)
        var random = SplitMix64(seed: 2)
        let input = (0..<(2 * 3 * 32 * 32)).map { _ in Float(random.uniform() * 2 - 1) }
        let out = net.forward(input, batch: 2, workspace: Workspace(threads: 1))
        XCTAssertEqual(out.feature.count, 2 * 16)
        XCTAssertEqual(out.bottleneck.count, 2 * 64 * 2 * 2)
        XCTAssertTrue(out.feature.allSatisfy(\.isFinite) && out.bottleneck.allSatisfy(\.isFinite))
        // Two different images give different features (the trunk is not degenerate).
        XCTAssertNotEqual(Array(out.bottleneck[0..<256]), Array(out.bottleneck[256..<512]))
    }

    func testSameSeedSameTensorsOtherSeedOthers() {
        let a = IResNetInitializer.weights(config: config, seed: 7), b = IResNetInitializer.weights(config: config, seed: 7)
        let c = IResNetInitializer.weights(config: config, seed: 8)
        XCTAssertEqual(a.names, b.names)
        for n in a.names { XCTAssertEqual(a[n], b[n], n) }
        XCTAssertNotEqual(a["layer2.0.conv1.weight"], c["layer2.0.conv1.weight"])
    }

    func testInitialDistributions() {
        let w = IResNetInitializer.weights(config: IResNetConfig(blocks: [2, 2, 2, 2]), seed: 3)
        func std(_ v: [Float]) -> Double {
            let m = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
            return (v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)).squareRoot()
        }
        let gain = (2.0 / (1 + 0.0625)).squareRoot()
        // layer3.1.conv1: [256, 256, 3, 3], fan_in 2304, PReLU gain; conv2 gain 1.
        XCTAssertEqual(std(w["layer3.1.conv1.weight"]!.values), gain / 2304.0.squareRoot(), accuracy: 0.01 * gain / 48)
        XCTAssertEqual(std(w["layer3.1.conv2.weight"]!.values), 1 / 2304.0.squareRoot(), accuracy: 0.01 / 48)
        // Residual branches end in bn3 scaled by 1 / sqrt(8 blocks); other batch norms are identities.
        XCTAssertEqual(w["layer1.0.bn3.weight"]!.values, [Float](repeating: Float(1 / 8.0.squareRoot()), count: 64))
        XCTAssertEqual(w["bn2.running_var"]!.values, [Float](repeating: 1, count: 512))
        XCTAssertEqual(w["prelu.weight"]!.values, [Float](repeating: 0.25, count: 64))
        XCTAssertEqual(w["fc.weight"]!.shape, [512, 512 * 7 * 7])
    }
}
