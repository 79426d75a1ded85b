import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// Swift against PyTorch on the committed fixtures (reduced-width iResNet-18 topology).
final class ParityTests: XCTestCase {
    func testEveryFixtureCaseMatchesPyTorch() throws {
        let m = try Fixtures().manifest()
        let (input, batch) = try Fixtures().input(m)
        XCTAssertEqual(m.cases.count, 4)
        for c in m.cases {
            let weights = try Checkpoint.load(path: Fixtures().path(c.checkpoint))
            let nested = weights.hasSection("backbone")
            XCTAssertEqual(nested, c.name.hasPrefix("nested"), c.name)
            let net = try IResNet(config: Fixtures.config(m), weights: nested ? weights.section("backbone") : weights)
            for threads in [1, 2] {
                let out = net.forward(input, batch: batch, workspace: Workspace(threads: threads))
                assertParity(out.feature, try Fixtures().floats(c.feature), "\(c.name) feature (\(threads) threads)")
                assertParity(out.bottleneck, try Fixtures().floats(c.bottleneck_feature), "\(c.name) bottleneck_feature")
            }
            let out = net.forward(input, batch: batch, workspace: Workspace(threads: 1))
            if let expected = c.log_sigma_sq {
                let head = try VarianceHead(weights: weights.section("head"))
                XCTAssertEqual(head.kind.className, c.head_kind)
                assertParity(head.logSigmaSq(out.bottleneck, rows: batch), try Fixtures().floats(expected), "\(c.name) PFE log sigma^2")
            }
            if let scales = c.scale {
                XCTAssertEqual(Set(scales.keys), Set(ScaleActivation.allCases.map(\.rawValue)))
                for (name, expected) in scales {
                    let head = try MLPHead(weights: weights.section("scale_predictor"),
                                           activation: ScaleActivation(rawValue: name)!, coefficient: m.coefficient)
                    assertParity(head.apply(out.bottleneck, rows: batch), try Fixtures().floats(expected), "\(c.name) scale \(name)")
                }
            }
        }
    }

    func testBatchOfOneEqualsBatchedRows() throws {
        let m = try Fixtures().manifest()
        let (input, batch) = try Fixtures().input(m)
        let net = try IResNet(config: Fixtures.config(m), weights: Checkpoint.load(path: Fixtures().path("bare_f32.pth")))
        let ws = Workspace(threads: 2)
        let all = net.forward(input, batch: batch, workspace: ws)
        let per = input.count / batch, e = m.embedding
        for i in 0..<batch {
            let one = net.forward(Array(input[(i * per)..<((i + 1) * per)]), batch: 1, workspace: ws)
            assertParity(one.feature, Array(all.feature[(i * e)..<((i + 1) * e)]), "image \(i) alone")
        }
    }

    /// Every convolution through im2col (no Winograd) matches PyTorch too.
    func testDirectConvolutionPathMatchesPyTorch() throws {
        let m = try Fixtures().manifest()
        let (input, batch) = try Fixtures().input(m)
        let c = m.cases.first { $0.name == "nested_f16" }!
        let net = try IResNet(config: Fixtures.config(m), weights: Checkpoint.load(path: Fixtures().path(c.checkpoint)).section("backbone"),
                              winograd: false)
        let out = net.forward(input, batch: batch, workspace: Workspace(threads: 2))
        assertParity(out.feature, try Fixtures().floats(c.feature), "direct feature")
        assertParity(out.bottleneck, try Fixtures().floats(c.bottleneck_feature), "direct bottleneck")
    }

    /// A workspace whose im2col buffer holds one image at a time must give the same result.
    func testSmallIm2colBufferChunksTheBatch() throws {
        let m = try Fixtures().manifest()
        let (input, batch) = try Fixtures().input(m)
        let c = m.cases.first { $0.name == "bare_f32" }!
        let net = try IResNet(config: Fixtures.config(m), weights: Checkpoint.load(path: Fixtures().path(c.checkpoint)))
        let out = net.forward(input, batch: batch, workspace: Workspace(threads: 2, colCapacity: 8 * 9 * 40 * 40))
        assertParity(out.feature, try Fixtures().floats(c.feature), "chunked feature")
    }
}
