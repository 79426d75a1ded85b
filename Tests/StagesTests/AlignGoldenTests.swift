import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// Transforms and warps written by tools/golden/align_golden.py (numpy, independent of this code).
private struct AlignManifest: Decodable {
    struct Source: Decodable { let file: String; let width: Int; let height: Int }
    struct Transform: Decodable {
        let name: String
        let landmarks: [[Double]]
        let template: String
        let width: Int
        let height: Int
        let matrix: [[Double]]
        let destination: [[Double]]
    }
    struct Warp: Decodable {
        let name: String
        let matrix: [[Double]]
        let width: Int
        let height: Int
        let file: String
    }
    let source: Source
    let transforms: [Transform]
    let warps: [Warp]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/align").path

    static func load() throws -> AlignManifest {
        try JSONDecoder().decode(AlignManifest.self,
                                 from: Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json")))
    }

    static func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file)))
    }
}

final class AlignGoldenTests: XCTestCase {
    func testTemplatesArePlacedAsTheReferenceSays() {
        XCTAssertEqual(AlignmentTemplate.arcface.points(width: 112, height: 112), AlignmentTemplate.arcface112)
        // Reference template for 112 x 112: 112 * p + 56, by hand for the first and last points.
        let r = AlignmentTemplate.reference.points(width: 112, height: 112)
        XCTAssertEqual(r[0].x, -0.158084 * 112 + 56, accuracy: 1e-12)
        XCTAssertEqual(r[0].y, -0.038426 * 112 + 56, accuracy: 1e-12)
        XCTAssertEqual(r[4].y, 0.323251 * 112 + 56, accuracy: 1e-12)
        // Non-square: scaled by max(w, h) = 112, offset by (48, 56).
        let n = AlignmentTemplate.reference.points(width: 96, height: 112)
        XCTAssertEqual(n[1].x, 0.156534 * 112 + 48, accuracy: 1e-12)
        XCTAssertEqual(n[1].y, -0.040166 * 112 + 56, accuracy: 1e-12)
    }

    func testEstimatedTransformsMatchNumpyUmeyama() throws {
        let manifest = try AlignManifest.load()
        XCTAssertGreaterThanOrEqual(manifest.transforms.count, 8)
        for t in manifest.transforms {
            let template = try XCTUnwrap(AlignmentTemplate(rawValue: t.template), t.name)
            let destination = template.points(width: t.width, height: t.height)
            for (p, q) in zip(destination, t.destination) {
                XCTAssertEqual(p.x, q[0], accuracy: 1e-9, t.name)
                XCTAssertEqual(p.y, q[1], accuracy: 1e-9, t.name)
            }
            let aligner = Aligner(template: template, width: t.width, height: t.height)
            let s = try XCTUnwrap(aligner.transform(landmarks: t.landmarks.map { SIMD2($0[0], $0[1]) }), t.name)
            let got = s.affine.rows
            let scale = t.matrix.flatMap { $0 }.map(abs).max()!
            for i in 0..<2 {
                for j in 0..<3 {
                    XCTAssertEqual(got[i][j], t.matrix[i][j], accuracy: 1e-5 * scale, "\(t.name) [\(i)][\(j)]")
                }
            }
        }
    }

    func testWarpsMatchNumpyBilinearPixels() throws {
        let manifest = try AlignManifest.load()
        let source = try RGBImage(width: manifest.source.width, height: manifest.source.height,
                                  pixels: try AlignManifest.bytes(manifest.source.file))
        var exact = 0, total = 0
        for w in manifest.warps {
            let m = w.matrix
            let affine = AffineTransform(m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2])
            let got = try Aligner.warp(image: source, transform: affine, width: w.width, height: w.height)
            let want = try AlignManifest.bytes(w.file)
            XCTAssertEqual(got.pixels.count, want.count, w.name)
            let diffs = zip(got.pixels, want).map { abs(Int($0) - Int($1)) }
            // Both sides are float64 with the same formula; only a value within rounding error
            // of a .5 tie may round differently, hence the one-level allowance.
            XCTAssertLessThanOrEqual(diffs.max() ?? 99, 1, w.name)
            exact += diffs.filter { $0 == 0 }.count
            if diffs.contains(where: { $0 != 0 }) { print("align golden: \(w.name) has \(diffs.filter { $0 != 0 }.count) samples off by one") }
            total += diffs.count
        }
        print("align golden: \(exact) of \(total) warped samples identical to numpy")
        XCTAssertGreaterThanOrEqual(Double(exact) / Double(total), 0.999)
    }

    func testIntegerShiftCopiesPixelsAndPadsWithBlack() throws {
        // Hand check: x' = x + 2, y' = y - 1 for the forward map (x, y) -> (x - 2, y + 1).
        var px = [UInt8](repeating: 0, count: 4 * 3 * 3)
        for i in 0..<px.count { px[i] = UInt8(10 + i) }
        let image = try RGBImage(width: 4, height: 3, pixels: px)
        let out = try Aligner.warp(image: image, transform: AffineTransform(1, 0, -2, 0, 1, 1), width: 4, height: 3)
        for y in 0..<3 {
            for x in 0..<4 {
                let sx = x + 2, sy = y - 1
                let want: (UInt8, UInt8, UInt8) = (sx < 4 && sy >= 0) ? image.pixel(x: sx, y: sy) : (0, 0, 0)
                XCTAssertTrue(out.pixel(x: x, y: y) == want, "(\(x), \(y))")
            }
        }
    }

    func testHalfPixelShiftAveragesNeighboursAndHalvesAtTheBorder() throws {
        // Forward map x -> x + 0.5: destination x samples source x - 0.5.
        let image = try RGBImage(width: 2, height: 1, pixels: [100, 0, 0, 200, 0, 0])
        let out = try Aligner.warp(image: image, transform: AffineTransform(1, 0, 0.5, 0, 1, 0), width: 3, height: 1)
        XCTAssertEqual(out.pixels[0], 50)   // half of 100 blended with the black border
        XCTAssertEqual(out.pixels[3], 150)  // (100 + 200) / 2
        XCTAssertEqual(out.pixels[6], 100)  // 200 blended with black: round(100) = 100
    }

    func testEstimateRecoversAKnownSimilarityAndRejectsDegenerateInput() throws {
        let truth = SimilarityTransform(scale: 1.7, rotation: 0.4, translation: SIMD2(-3, 12.5))
        let src: [SIMD2<Double>] = [SIMD2(1, 2), SIMD2(30, 4), SIMD2(15, 20), SIMD2(5, 33), SIMD2(28, 31)]
        let est = try XCTUnwrap(SimilarityTransform.estimate(from: src, to: src.map(truth.apply)))
        XCTAssertEqual(est.a, truth.a, accuracy: 1e-12)
        XCTAssertEqual(est.b, truth.b, accuracy: 1e-12)
        XCTAssertEqual(est.tx, truth.tx, accuracy: 1e-10)
        XCTAssertEqual(est.ty, truth.ty, accuracy: 1e-10)
        XCTAssertEqual(est.scale, 1.7, accuracy: 1e-12)
        let inv = try XCTUnwrap(est.inverted())
        for p in src {
            let back = inv.apply(est.apply(p))
            XCTAssertEqual(back.x, p.x, accuracy: 1e-10)
            XCTAssertEqual(back.y, p.y, accuracy: 1e-10)
        }
        XCTAssertNil(SimilarityTransform.estimate(from: Array(repeating: SIMD2(3, 3), count: 5), to: src))
        XCTAssertNil(SimilarityTransform.estimate(from: src, to: Array(repeating: SIMD2(3, 3), count: 5)))
        XCTAssertNil(SimilarityTransform.estimate(from: src, to: Array(src.prefix(4))))
        XCTAssertNil(SimilarityTransform.estimate(from: [SIMD2(.nan, 0)] + src.dropFirst(), to: src))
        XCTAssertThrowsError(try Aligner().align(try RGBImage(width: 4, height: 4, red: 0, green: 0, blue: 0),
                                                 landmarks: Array(repeating: SIMD2(1, 1), count: 5)))
    }
}
