import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// Fixtures and expected pixels written by tools/golden/images_golden.py.
struct ImageManifest: Decodable {
    struct Expected: Decodable {
        let file: String
        let width: Int
        let height: Int
        let fnv1a64: String
        let samples: [[Int]]
        let decoder: String?
        /// Set where the decoder is documented to be within this many levels, not exact.
        let tolerance: Int?
        let expected_rgb: String?
    }
    struct ExpectedError: Decodable {
        let file: String
        let problem: String
    }
    let decode: [Expected]
    let errors: [ExpectedError]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/images").path

    static func load() throws -> ImageManifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json"))
        return try JSONDecoder().decode(ImageManifest.self, from: data)
    }
}

func fnv1a64(_ bytes: [UInt8]) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

final class ImageDecodeTests: XCTestCase {
    func testEveryFixtureDecodesToTheIndependentlyComputedPixels() throws {
        let manifest = try ImageManifest.load()
        XCTAssertGreaterThanOrEqual(manifest.decode.count, 30)
        for e in manifest.decode {
            let image: RGBImage
            do {
                image = try RGBImage.decode(path: ImageManifest.directory + "/" + e.file)
            } catch {
                XCTFail("\(e.file): \(error)"); continue
            }
            XCTAssertEqual([image.width, image.height], [e.width, e.height], e.file)
            if let tolerance = e.tolerance, let raw = e.expected_rgb {
                let want = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ImageManifest.directory + "/" + raw)))
                XCTAssertEqual(want.count, image.pixels.count, e.file)
                let worst = zip(want, image.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, tolerance, e.file)
                continue
            }
            for s in e.samples {
                let (r, g, b) = image.pixel(x: s[0], y: s[1])
                XCTAssertEqual([Int(r), Int(g), Int(b)], Array(s[2...]), "\(e.file) at (\(s[0]), \(s[1]))")
            }
            XCTAssertEqual(fnv1a64(image.pixels), e.fnv1a64, "\(e.file): pixel checksum")
        }
    }

    func testSixteenBitSamplesRoundToNearestEightBitValue() throws {
        // Every value 0...65535 once; round(v / 257) by hand, independently of the manifest.
        for name in ["gray16-all-values.png", "gray16-all-values-interlaced.png"] {
            let image = try RGBImage.decode(path: ImageManifest.directory + "/" + name)
            XCTAssertEqual([image.width, image.height], [256, 256])
            var wrong = 0
            for v in 0..<65536 {
                let want = UInt8((Double(v) / 257).rounded())
                let (r, g, b) = image.pixel(x: v % 256, y: v / 256)
                if r != want || g != want || b != want { wrong += 1 }
            }
            XCTAssertEqual(wrong, 0, name)
        }
    }

    func testDispatchIsByContentNotExtension() throws {
        let dir = try figureDirectory("decode-by-magic")
        let png = try Data(contentsOf: URL(fileURLWithPath: ImageManifest.directory + "/rgb8.png"))
        try png.write(to: URL(fileURLWithPath: dir + "/actually-png.jpg"))
        let a = try RGBImage.decode(path: dir + "/actually-png.jpg")
        let b = try RGBImage.decode(path: ImageManifest.directory + "/rgb8.png")
        XCTAssertEqual(a, b)
        let fromMemory = try RGBImage.decode(bytes: [UInt8](png))
        XCTAssertEqual(fromMemory, b)
    }
}
