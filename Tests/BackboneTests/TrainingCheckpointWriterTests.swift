import Foundation
import XCTest
@testable import Backbone
import Core
@testable import Checkpoint
@testable import Training

/// `.pth` files written by `CheckpointWriter` read back exactly through the project's own
/// restricted reader (PyTorch's own loading is checked by tools/parity/check_head_pth.py).
final class TrainingCheckpointWriterTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testCRC32OfTheStandardCheckString() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
    }

    func testNestedStateDictsRoundTripThroughTheRestrictedReader() throws {
        var random = SplitMix64(seed: 3)
        var scale = WeightSet(source: "test")
        scale.set("mlp.0.weight", Tensor(shape: [3, 4], values: (0..<12).map { _ in Float(random.normal()) }))
        scale.set("mlp.1.running_mean", Tensor(shape: [3], values: [1, -2.5, 3e-8]))
        scale.set("mlp.1.num_batches_tracked", Tensor(shape: [], values: [70000]))
        var head = WeightSet(source: "test")
        head.set("gamma", Tensor(shape: [1], values: [1e-4]))
        head.set("big", Tensor(shape: [2, 3, 300], values: (0..<1800).map { Float($0) - 900.5 }))
        let path = directory.appendingPathComponent("h.pth").path
        try CheckpointWriter.write(sections: [("scale_predictor", scale), ("head", head)], to: path)

        let back = try Checkpoint.load(path: path)
        XCTAssertEqual(back.names, ["scale_predictor.mlp.0.weight", "scale_predictor.mlp.1.running_mean",
                                    "scale_predictor.mlp.1.num_batches_tracked", "head.gamma", "head.big"])
        for (section, w) in [("scale_predictor", scale), ("head", head)] {
            for n in w.names { XCTAssertEqual(back["\(section).\(n)"], w[n], n) }
        }
        // Storages are raw little-endian bytes aligned to 64 in the file, and the counter is int64.
        let zip = try ZipArchive(path: path)
        XCTAssertEqual(zip.names.first, "archive/data.pkl")
        XCTAssertTrue(zip.names.contains("archive/version") && zip.names.contains("archive/byteorder"))
        for n in zip.names where n.hasPrefix("archive/data/") { XCTAssertEqual(try zip.range(of: n).lowerBound % 64, 0, n) }
        let counter = try zip.range(of: "archive/data/2")
        XCTAssertEqual(counter.count, 8)
        XCTAssertEqual(Array(zip.data[counter]), [0x70, 0x11, 0x01, 0, 0, 0, 0, 0])   // 70000 = 0x11170
        XCTAssertEqual(String(decoding: zip.data[try zip.range(of: "archive/version")], as: UTF8.self), "3\n")
    }

    func testBareStateDictAndTrainedHeadsLoadIntoTheInferenceHeads() throws {
        var random = SplitMix64(seed: 11)
        var model = ScaleHeadModel<Float>(sizes: [6, 5, 1], random: &random)
        let x = (0..<(8 * 6)).map { _ in Float(random.normal()) }
        _ = model.forwardTraining(x, rows: 8)
        let path = directory.appendingPathComponent("bare.pth").path
        try CheckpointWriter.write(CheckpointWriter.stateDict(model.stateDict()), to: path)
        let head = try MLPHead(weights: try Checkpoint.load(path: path), activation: .exp)
        let expected = model.forwardEval(x, rows: 8), got = head.apply(x, rows: 8)
        for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-5 * abs(b)) }
    }
}
