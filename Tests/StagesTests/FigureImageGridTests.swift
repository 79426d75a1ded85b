import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class FigureImageGridTests: XCTestCase {
    func noise(_ w: Int, _ h: Int, seed: UInt64) throws -> RGBImage {
        var rng = SplitMix(seed: seed)
        return try RGBImage(width: w, height: h, pixels: (0..<w * h * 3).map { _ in UInt8(rng.next() & 0xFF) })
    }

    func testImagesAreCopiedPixelForPixelIntoTheirCells() throws {
        let red = try RGBImage(width: 112, height: 112, red: 220, green: 30, blue: 10)
        let textured = try noise(112, 112, seed: 3)
        let tall = try RGBImage(width: 56, height: 112, red: 0, green: 0, blue: 200)
        let grid = ImageGrid(title: "ScaleFace uncertainty deciles", rows: [
            .init(title: "lowest uncertainty decile", images: [red, textured, red], captions: ["0.12", "0.13", "0.15"]),
            .init(title: "highest uncertainty decile", images: [tall, textured]),
        ])
        let path = try figureDirectory("grid") + "/grid.png"
        try grid.writePNG(to: path)
        let png = try DecodedPNG(path: path)
        let l = try grid.layout()
        XCTAssertEqual([png.width, png.height], [Int(l.width), Int(l.height)])
        XCTAssertEqual(l.cells.map { $0.count }, [3, 2])

        let c0 = l.cells[0][0]
        XCTAssertEqual(png.at(Int(c0.x) + 56, Int(c0.y) + 56), [220, 30, 10])
        for cell in [l.cells[0][1], l.cells[1][1]] {
            var mismatches = 0
            for y in 0..<112 {
                for x in 0..<112 {
                    let (r, g, b) = textured.pixel(x: x, y: y)
                    if png.at(Int(cell.x) + x, Int(cell.y) + y) != [Int(r), Int(g), Int(b)] { mismatches += 1 }
                }
            }
            XCTAssertEqual(mismatches, 0, "cell at \(cell)")
        }
        // A 56 x 112 image keeps its aspect ratio: centred, with background either side.
        let c1 = l.cells[1][0]
        XCTAssertEqual(png.at(Int(c1.x) + 56, Int(c1.y) + 56), [0, 0, 200])
        XCTAssertTrue(png.isBackground(Int(c1.x) + 10, Int(c1.y) + 56))
        XCTAssertTrue(png.isBackground(Int(c1.maxX) - 10, Int(c1.y) + 56))
        // Captions and row titles put dark text just below and above the cells.
        let captionDark = (Int(c0.maxY)..<Int(c0.maxY) + 16).flatMap { y in
            (Int(c0.x)..<Int(c0.maxX)).map { png.at($0, y) } }.filter { $0.allSatisfy { $0 < 110 } }.count
        XCTAssertGreaterThan(captionDark, 15)
        let titleDark = (Int(l.rowTitleTops[1])..<Int(l.cells[1][0].y)).flatMap { y in
            (Int(c1.x)..<Int(c1.x) + 150).map { png.at($0, y) } }.filter { $0.allSatisfy { $0 < 110 } }.count
        XCTAssertGreaterThan(titleDark, 40)
    }

    func testDoubleScaleDoublesEverything() throws {
        let grid = ImageGrid(title: "", rows: [.init(title: "row", images: [try noise(20, 20, seed: 1)])],
                             cellSize: 40, scale: 2)
        let img = try grid.renderImage()
        let l = try grid.layout()
        XCTAssertEqual([img.width, img.height], [Int(2 * l.width), Int(2 * l.height)])
    }

    func testEmptyOrInconsistentGridsAreErrors() throws {
        XCTAssertThrowsError(try ImageGrid(title: "none", rows: []).layout()) {
            XCTAssertEqual(($0 as? FigureError)?.problem, .noImages)
        }
        let one = try RGBImage(width: 4, height: 4, red: 1, green: 2, blue: 3)
        XCTAssertThrowsError(try ImageGrid(title: "c", rows: [.init(title: "r", images: [one], captions: ["a", "b"])]).layout())
        let path = try figureDirectory("grid") + "/empty.png"
        XCTAssertThrowsError(try ImageGrid(title: "none", rows: [.init(title: "r", images: [])]).writePNG(to: path)) {
            XCTAssertTrue("\($0)".contains(path), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
