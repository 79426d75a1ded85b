import XCTest
@testable import Backbone

final class PreprocessTests: XCTestCase {
    func testStandardisationByHand() {
        XCTAssertEqual(Preprocess.meanScale.standardise(0), -127.5 / 128)
        XCTAssertEqual(Preprocess.meanScale.standardise(255), 127.5 / 128)
        XCTAssertEqual(Preprocess.scale.standardise(51), 0.2)
    }

    func testPlanarLayout() {
        let rgb: [UInt8] = [0, 255, 51, 255, 0, 51]  // two pixels, 1 x 2
        var out = [Float](repeating: .nan, count: 6)
        rgb.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { Preprocess.scale.planar(rgb: src, height: 1, width: 2, into: $0.baseAddress!) }
        }
        XCTAssertEqual(out, [0, 1, 1, 0, 0.2, 0.2])
    }
}
