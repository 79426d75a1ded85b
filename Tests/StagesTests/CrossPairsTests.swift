import XCTest
import Datasets
import Foundation

/// The CPLFW / CALFW pair file and the reference's seeded split against numpy
/// (Tests/AnalysisTests/Fixtures/curves.json, tools/golden/curves_golden.py).
final class CrossPairsTests: XCTestCase {
    private func split() throws -> [String: Any] {
        let url = TestSupport.repoRoot.appendingPathComponent("Tests/AnalysisTests/Fixtures/curves.json")
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try XCTUnwrap(all["split"] as? [String: Any])
    }

    func testNumpyRandomStateShuffleEqualsNumpy() throws {
        var x = Array(0..<10)
        var rng = NumpyRandomState(seed: 42)
        rng.shuffle(&x)
        XCTAssertEqual(x, try split()["shuffle_arange_10"] as? [Int])
    }

    func testPairFileAndSplitEqualNumpy() throws {
        let s = try split()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crosspairs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pairs_CPLFW.txt")
        try XCTUnwrap(s["pairs_file"] as? String).write(to: file, atomically: true, encoding: .utf8)
        let c = try readCrossPairs(file.path)
        XCTAssertEqual(c.shuffledIdentities, s["identities"] as? [String])
        XCTAssertEqual(c.test, s["test_pairs"] as? [Int])
        XCTAssertEqual(c.val, s["val_pairs"] as? [Int])
        XCTAssertEqual(c.labels.map { $0 ? 1 : 0 }, s["labels"] as? [Int])
        XCTAssertEqual(CrossPairs.identity("Ana_XX_12_3.jpg"), "Ana_XX_12")

        try "a_1.jpg 1\nb_1.jpg 1\nc_1.jpg 2\nd_1.jpg 2\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try readCrossPairs(file.path)) {
            XCTAssertTrue("\($0)".contains("pairs_CPLFW.txt:3: label '2' is not 0 or 1"), "\($0)")
        }
    }
}
