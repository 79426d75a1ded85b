import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class ImageEncodeCropTests: XCTestCase {
    func testEncodedPNGDecodesToTheSamePixelsInCairoToo() throws {
        var rng = SplitMix(seed: 11)
        let image = try RGBImage(width: 37, height: 23, pixels: (0..<37 * 23 * 3).map { _ in UInt8(rng.next() & 0xFF) })
        let path = try figureDirectory("encode") + "/noise.png"
        try image.encodePNG(to: path)
        XCTAssertEqual(try RGBImage.decode(path: path), image)
        // A second, unrelated PNG reader agrees.
        let other = try DecodedPNG(path: path)
        XCTAssertEqual([other.width, other.height], [37, 23])
        XCTAssertEqual(other.rgb, image.pixels)
    }

    func testEncodeIntoMissingDirectoryIsAnError() throws {
        let image = try RGBImage(width: 2, height: 2, red: 1, green: 2, blue: 3)
        XCTAssertThrowsError(try image.encodePNG(to: "/nonexistent-dir-scaleface/x.png")) {
            XCTAssertTrue("\($0)".contains("/nonexistent-dir-scaleface/x.png"), "\($0)")
        }
    }

    func testCenterCropFollowsTorchvisionPlacement() throws {
        // 5 x 4 image whose pixel (x, y) has red = x, green = y.
        var p: [UInt8] = []
        for y in 0..<4 { for x in 0..<5 { p += [UInt8(x), UInt8(y), 7] } }
        let image = try RGBImage(width: 5, height: 4, pixels: p)
        // (5 - 2) / 2 = 1.5 rounds to 2 (half to even); (4 - 3) / 2 = 0.5 rounds to 0.
        let c = try image.cropCenter(width: 2, height: 3)
        XCTAssertEqual([c.width, c.height], [2, 3])
        XCTAssertEqual(c.pixels, [2, 0, 7, 3, 0, 7,
                                  2, 1, 7, 3, 1, 7,
                                  2, 2, 7, 3, 2, 7])
        // (5 - 3) / 2 = 1 and (4 - 2) / 2 = 1 exactly.
        let d = try image.cropCenter(width: 3, height: 2)
        XCTAssertEqual(d.pixel(x: 0, y: 0).0, 1)
        XCTAssertEqual(d.pixel(x: 0, y: 0).1, 1)
        XCTAssertEqual(try image.cropCenter(width: 5, height: 4), image)
        XCTAssertThrowsError(try image.cropCenter(width: 6, height: 4)) {
            XCTAssertEqual("\($0)", "image: cannot center-crop 6x4 from a 5x4 image")
        }
    }

    func testBufferSizeIsChecked() {
        XCTAssertThrowsError(try RGBImage(width: 2, height: 2, pixels: [0, 0, 0])) {
            XCTAssertEqual(($0 as? ImageError)?.problem, .bufferSize(expected: 12, got: 3))
        }
        XCTAssertThrowsError(try RGBImage(width: 0, height: 2, pixels: []))
    }
}
