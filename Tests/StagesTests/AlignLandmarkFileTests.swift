import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class AlignLandmarkFileTests: XCTestCase {
    func testParsesTheInsightFaceLayout() throws {
        let text = "1.jpg 10 20 30 20.5 20 30 12 40 28 40 0.998\n\n" +
            "sub/2.png\t1e2 2 3 4 5 6 7 8 9 10 -0.5\r\n"
        let file = try LandmarkFile.parse(text, file: "lm.txt")
        XCTAssertEqual(file.records.count, 2)
        let first = try XCTUnwrap(file["1.jpg"])
        XCTAssertEqual(first.points, [SIMD2(10, 20), SIMD2(30, 20.5), SIMD2(20, 30), SIMD2(12, 40), SIMD2(28, 40)])
        XCTAssertEqual(first.detectorScore, 0.998)
        XCTAssertEqual(file["sub/2.png"]?.points.first, SIMD2(100, 2))
        XCTAssertEqual(file["sub/2.png"]?.detectorScore, -0.5)
        XCTAssertNil(file["3.jpg"])
    }

    func testMalformedLinesNameFileLineAndExpectation() {
        func error(_ text: String) -> InputError? {
            do { _ = try LandmarkFile.parse(text, file: "lm.txt"); return nil } catch { return error as? InputError }
        }
        let short = error("a.jpg 1 2 3 4 5 6 7 8 9 10 0.9\nb.jpg 1 2 3\n")
        XCTAssertEqual(short?.file, "lm.txt")
        XCTAssertEqual(short?.line, 2)
        XCTAssertTrue(short?.message.contains("expected 12 fields") == true, "\(String(describing: short))")
        XCTAssertTrue(short?.message.contains("found 4") == true)

        let bad = error("\nb.jpg 1 2 3 4 5 x 7 8 9 10 0.9\n")
        XCTAssertEqual(bad?.line, 2)
        XCTAssertTrue(bad?.message.contains("field 7 (y3) is 'x', expected a finite number") == true, "\(String(describing: bad))")

        let nan = error("b.jpg 1 2 3 4 5 6 7 8 9 10 nan\n")
        XCTAssertTrue(nan?.message.contains("detector_score") == true)

        let twice = error("b.jpg 1 2 3 4 5 6 7 8 9 10 1\nb.jpg 1 2 3 4 5 6 7 8 9 10 1\n")
        XCTAssertEqual(twice?.line, 2)
        XCTAssertTrue(twice?.message.contains("first on line 1") == true)

        XCTAssertEqual(error("b.jpg 1 2 3 4 5 6 7 8 9 10 1 extra\n")?.description,
                       "lm.txt:1: expected 12 fields 'image_name x1 y1 x2 y2 x3 y3 x4 y4 x5 y5 detector_score', found 13")
    }

    func testMissingFileIsANamedError() throws {
        XCTAssertThrowsError(try LandmarkFile.read(path: "/nonexistent/lm.txt")) { e in
            XCTAssertEqual((e as? InputError)?.description, "/nonexistent/lm.txt: no such landmark file")
        }
    }

    func testFormatWritesLinesTheReaderParses() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let path = dir.appendingPathComponent("lm.txt").path
        let text = LandmarkFile.format([LandmarkRecord(imageName: "7/7_0001.png",
                                                       points: [SIMD2(1.23456, 2), SIMD2(3, 4), SIMD2(5, 6), SIMD2(7, 8), SIMD2(9, 10.5)],
                                                       detectorScore: 0.75)])
        XCTAssertEqual(text, "7/7_0001.png 1.2346 2.0000 3.0000 4.0000 5.0000 6.0000 7.0000 8.0000 9.0000 10.5000 0.750000\n")
        try writeText(text, to: path)
        XCTAssertEqual(try LandmarkFile.read(path: path)["7/7_0001.png"]?.points.last, SIMD2(9, 10.5))
    }
}
