import Foundation
import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

final class CheckpointTests: XCTestCase {
    func testMaliciousCheckpointIsRefusedNamingTheGlobal() throws {
        let m = try Fixtures().manifest()
        try? FileManager.default.removeItem(atPath: m.malicious_marker)
        XCTAssertThrowsError(try Checkpoint.load(path: Fixtures().path("malicious.pth"))) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("refuses global posix.system"), text)
            XCTAssertTrue(text.contains("malicious.pth"), text)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: m.malicious_marker), "the payload must never run")
    }

    func testLegacyAndCompressedAndNonCheckpointFilesGetClearErrors() throws {
        XCTAssertThrowsError(try Checkpoint.load(path: Fixtures().path("legacy.pth"))) {
            XCTAssertTrue(String(describing: $0).contains("legacy (non-zip)"), String(describing: $0))
        }
        XCTAssertThrowsError(try Checkpoint.load(path: Fixtures().path("compressed.pth"))) {
            XCTAssertTrue(String(describing: $0).contains("is compressed"), String(describing: $0))
        }
        XCTAssertThrowsError(try Checkpoint.load(path: Fixtures().path("manifest.json"))) {
            XCTAssertTrue(String(describing: $0).contains("not a zip archive"), String(describing: $0))
        }
        XCTAssertThrowsError(try Checkpoint.load(path: Fixtures().path("no-such.pth"))) {
            XCTAssertTrue(String(describing: $0).contains("cannot be read"), String(describing: $0))
        }
    }

    func testNestedSectionsAndHalfPrecisionValues() throws {
        let w = try Checkpoint.load(path: Fixtures().path("nested_f16.pth"))
        XCTAssertTrue(w.hasSection("backbone") && w.hasSection("head") && w.hasSection("scale_predictor"))
        XCTAssertEqual(w["backbone.conv1.weight"]?.shape, [8, 3, 3, 3])
        XCTAssertEqual(w["head.gamma"]?.values, [1.2998046875])  // 1.3 rounded to float16
        XCTAssertEqual(w["head.beta"]?.values, [0.199951171875])  // 0.2 rounded to float16
        XCTAssertEqual(w["backbone.bn1.num_batches_tracked"]?.values, [1000])
    }

    func testHalfConversionByHand() {
        XCTAssertEqual(Checkpoint.halfToFloat(0x3C00), 1)
        XCTAssertEqual(Checkpoint.halfToFloat(0xC000), -2)
        XCTAssertEqual(Checkpoint.halfToFloat(0x0001), 0x1p-24)       // smallest subnormal
        XCTAssertEqual(Checkpoint.halfToFloat(0x7BFF), 65504)         // largest finite
        XCTAssertEqual(Checkpoint.halfToFloat(0x7C00), .infinity)
        XCTAssertTrue(Checkpoint.halfToFloat(0x7E00).isNaN)
    }

    func testMissingUnexpectedAndMisshapedKeysAreNamed() throws {
        let m = try Fixtures().manifest()
        var w = try Checkpoint.load(path: Fixtures().path("bare_f32.pth"))
        w.remove("layer2.1.prelu.weight")
        w.set("layer9.0.conv1.weight", Tensor(shape: [1], values: [0]))
        w.set("fc.bias", Tensor(shape: [3], values: [0, 0, 0]))
        XCTAssertThrowsError(try IResNet(config: Fixtures.config(m), weights: w)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("missing keys: layer2.1.prelu.weight"), text)
            XCTAssertTrue(text.contains("unexpected keys: layer9.0.conv1.weight"), text)
            XCTAssertTrue(text.contains("fc.bias is [3], expected [32]"), text)
        }
        // A full-size architecture does not fit the reduced-width fixture.
        XCTAssertThrowsError(try IResNet(config: IResNetConfig(arch: "iresnet18")!, weights: try Checkpoint.load(path: Fixtures().path("bare_f32.pth")))) {
            XCTAssertTrue(String(describing: $0).contains("conv1.weight is [8, 3, 3, 3], expected [64, 3, 3, 3]"), String(describing: $0))
        }
    }

    func testArchitectureTableAndFlops() {
        XCTAssertEqual(IResNetConfig(arch: "iresnet100")?.blocks, [3, 13, 30, 3])
        XCTAssertEqual(IResNetConfig(arch: "iresnet50_normalized")?.normalized, true)
        XCTAssertNil(IResNetConfig(arch: "resnet50"))
        XCTAssertEqual(IResNetConfig(arch: "iresnet50")!.bottleneckWidth, 25088)
        // 12.62 GFLOP for iResNet-50 at 112 x 112 (multiply-adds counted as two).
        XCTAssertEqual(IResNetConfig(arch: "iresnet50")!.flopsPerImage / 1e9, 12.62, accuracy: 0.01)
    }
}
