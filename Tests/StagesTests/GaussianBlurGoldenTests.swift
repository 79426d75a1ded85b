import Foundation
import XCTest
@testable import Imaging

/// `GaussianBlur` against scipy.ndimage.gaussian_filter, bit for bit (docs/strategies.md,
/// "blurred_scale"): Tests/Fixtures/gaussian_blur/golden.json, written by
/// tools/golden/gaussian_blur_golden.py.
final class GaussianBlurGoldenTests: XCTestCase {
    struct Case: Decodable { let name: String; let sigma: Double; let shape: [Int]; let input: [UInt8]; let output: [UInt8] }
    struct Golden: Decodable { let cases: [Case] }

    func golden() throws -> Golden {
        let url = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/gaussian_blur/golden.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    func testEveryCaseEqualsScipyBitForBit() throws {
        let g = try golden()
        XCTAssertEqual(g.cases.count, 17)
        for c in g.cases {
            let got = GaussianBlur(sigma: c.sigma).apply(c.input, shape: c.shape)
            let wrong = zip(got, c.output).filter { $0 != $1 }.count
            XCTAssertEqual(wrong, 0, "\(c.name) sigma \(c.sigma): \(wrong) of \(got.count) samples differ")
            // The blur changes the image (so the comparison cannot pass on a copy).
            XCTAssertNotEqual(c.input, c.output, "\(c.name) sigma \(c.sigma)")
        }
    }

    func testRGBImageEntryPointAndKernelRadius() throws {
        let c = try golden().cases.first { $0.name == "random41x39" && $0.sigma == 3 }!
        let image = try RGBImage(width: c.shape[1], height: c.shape[0], pixels: c.input)
        XCTAssertEqual(GaussianBlur(sigma: 3).apply(image).pixels, c.output)
        XCTAssertEqual(GaussianBlur(sigma: 3).radius, 12)  // int(4 * 3 + 0.5)
        XCTAssertEqual(GaussianBlur(sigma: 0.5).radius, 2)
        XCTAssertEqual(GaussianBlur(sigma: 0).apply(image), image)
        // Weights sum to 1 (symmetric kernel: w0 + 2 * sum of the rest).
        let w = GaussianBlur(sigma: 1.7).weights
        XCTAssertEqual(w[0] + 2 * w[1...].reduce(0, +), 1, accuracy: 1e-12)
    }

    /// Reflect folds repeatedly when the kernel is longer than the axis: d c b a | a b c d | d c b a.
    func testReflectIndexFoldsRepeatedly() {
        XCTAssertEqual((-8...11).map { GaussianBlur.reflect($0, 4) },
                       [0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3])
        XCTAssertEqual((-3...3).map { GaussianBlur.reflect($0, 1) }, [0, 0, 0, 0, 0, 0, 0])
    }
}
