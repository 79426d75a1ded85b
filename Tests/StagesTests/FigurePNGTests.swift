import CCairo
import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// A PNG decoded by cairo's own reader, independent of the figure code.
struct DecodedPNG {
    let width: Int
    let height: Int
    let rgb: [UInt8]

    init(path: String) throws {
        let surface = cairo_image_surface_create_from_png(path)!
        defer { cairo_surface_destroy(surface) }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw NSError(domain: "DecodedPNG", code: 1,
                          userInfo: [NSLocalizedDescriptionKey: String(cString: cairo_status_to_string(status))])
        }
        width = Int(cairo_image_surface_get_width(surface))
        height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = UnsafeRawPointer(cairo_image_surface_get_data(surface)!)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let w = data.loadUnaligned(fromByteOffset: y * stride + x * 4, as: UInt32.self)
                out[(y * width + x) * 3] = UInt8((w >> 16) & 0xFF)
                out[(y * width + x) * 3 + 1] = UInt8((w >> 8) & 0xFF)
                out[(y * width + x) * 3 + 2] = UInt8(w & 0xFF)
            }
        }
        rgb = out
    }

    func at(_ x: Int, _ y: Int) -> [Int] {
        let o = (y * width + x) * 3
        return [Int(rgb[o]), Int(rgb[o + 1]), Int(rgb[o + 2])]
    }

    func isBackground(_ x: Int, _ y: Int) -> Bool { at(x, y) == [255, 255, 255] }
}

/// Output folder for test figures: `$SCALEFACE_KEEP_FIGURES` to look at them, else a
/// fresh temporary folder.
func figureDirectory(_ name: String) throws -> String {
    let base = ProcessInfo.processInfo.environment["SCALEFACE_KEEP_FIGURES"]
        ?? NSTemporaryDirectory() + "scaleface-figures-\(getpid())"
    let dir = (base as NSString).appendingPathComponent(name)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func colorBytes(_ c: RGBColor) -> [Int] {
    let b = c.bytes
    return [Int(b.0), Int(b.1), Int(b.2)]
}

func assertColor(_ got: [Int], _ want: [Int], tolerance: Int = 3, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    let close = zip(got, want).allSatisfy { abs($0 - $1) <= tolerance }
    XCTAssertTrue(close, "\(what): pixel \(got), expected \(want)", file: file, line: line)
}

final class FigurePNGTests: XCTestCase {
    func testWriteFailureNamesFileAndLeavesNothing() throws {
        let dir = try figureDirectory("write-failure")
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [LineSeries(name: "a", x: [0, 1], y: [0, 1])])
        let missing = dir + "/no-such-dir/chart.png"
        XCTAssertThrowsError(try chart.writePNG(to: missing)) { e in
            XCTAssertTrue("\(e)".contains(missing), "\(e)")
        }
        let empty = LineChart(title: "empty", xLabel: "x", yLabel: "y",
                              series: [LineSeries(name: "nothing", x: [], y: [])])
        let path = dir + "/empty.png"
        XCTAssertThrowsError(try empty.writePNG(to: path)) { e in
            XCTAssertEqual((e as? FigureError)?.problem, .emptySeries("nothing"))
            XCTAssertTrue("\(e)".contains(path) && "\(e)".contains("nothing"), "\(e)")
            XCTAssertFalse("\(e)".contains("\n"))
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertEqual(left, [], "a failed write must leave no file, found \(left)")
    }

    func testOverwriteReplacesExistingFileAtomically() throws {
        let dir = try figureDirectory("overwrite")
        let path = dir + "/chart.png"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [LineSeries(name: "a", x: [0, 1], y: [0, 1])], width: 400, height: 300)
        try chart.writePNG(to: path)
        let png = try DecodedPNG(path: path)
        XCTAssertEqual([png.width, png.height], [400, 300])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["chart.png"])
    }

    func testSVGIsWrittenAsVectorDocument() throws {
        let dir = try figureDirectory("svg")
        let chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss",
                              series: [LineSeries(name: "train", x: [1, 2, 3], y: [3, 2, 1.5])])
        try chart.writeSVG(to: dir + "/loss.svg")
        let text = try String(contentsOfFile: dir + "/loss.svg", encoding: .utf8)
        XCTAssertTrue(text.contains("<svg") && text.contains("width=\"1000"), String(text.prefix(300)))
        let hist = Histogram(title: "h", xLabel: "v", samples: [HistogramSample(name: "s", values: [1, 2, 2, 3])])
        try hist.writeSVG(to: dir + "/hist.svg")
        XCTAssertTrue(try String(contentsOfFile: dir + "/hist.svg", encoding: .utf8).contains("<svg"))
    }
}
