import Foundation
import XCTest
import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// `make parity`: full-size iResNet-50 and iResNet-100 with random weights against PyTorch
/// (tools/parity/full_size.py writes them to $SCALEFACE_PARITY_DIR). Skipped otherwise, since
/// the checkpoints are 175 and 260 MB and need PyTorch to produce.
final class FullSizeParityTests: XCTestCase {
    func testFullSizeNetworksMatchPyTorch() throws {
        guard let dir = ProcessInfo.processInfo.environment["SCALEFACE_PARITY_DIR"] else {
            throw XCTSkip("set SCALEFACE_PARITY_DIR (make parity) to compare full-size networks")
        }
        for arch in ["iresnet50", "iresnet100"] {
            let f = Fixtures(directory: URL(fileURLWithPath: dir).appendingPathComponent(arch))
            let m = try f.manifest()
            let (input, batch) = try f.input(m)
            let c = m.cases[0]
            let net = try IResNet(config: IResNetConfig(arch: arch)!, weights: Checkpoint.load(path: f.path(c.checkpoint)))
            let ws = Workspace(threads: 2)
            let start = Date()
            let out = net.forward(input, batch: batch, workspace: ws)
            let seconds = Date().timeIntervalSince(start)
            for (name, actual, expected) in [("feature", out.feature, try f.floats(c.feature)),
                                             ("bottleneck_feature", out.bottleneck, try f.floats(c.bottleneck_feature))] {
                let scale = expected.map { abs($0) }.max()!
                let worst = zip(actual, expected).map { abs($0 - $1) }.max()!
                print(String(format: "parity %@ %@: max |swift - torch| = %.3g, max|torch| = %.3g, ratio %.2e (bar 1e-4)",
                             arch, name, worst, scale, worst / scale))
                assertParity(actual, expected, "\(arch) \(name)")
            }
            print(String(format: "parity %@: %d images in %.2f s with 2 threads", arch, batch, seconds))
        }
    }
}
