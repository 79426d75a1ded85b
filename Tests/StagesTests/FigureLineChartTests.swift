import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class FigureLineChartTests: XCTestCase {
    /// Two constant series on fixed unit axes.
    func constantChart(scale: Double) -> LineChart {
        let xs = stride(from: 0.0, through: 1.0, by: 0.05).map { $0 }
        return LineChart(title: "Constant series", xLabel: "rejected portion", yLabel: "TAR",
                         series: [LineSeries(name: "low", x: xs, y: xs.map { _ in 0.25 }),
                                  LineSeries(name: "high", x: xs, y: xs.map { _ in 0.75 }, style: .dashed)],
                         xRange: 0...1, yRange: 0...1, legend: .upperRight, scale: scale)
    }

    func testConstantSeriesLandWhereTheLayoutSays() throws {
        for scale in [1.0, 2.0] {
            let chart = constantChart(scale: scale)
            let path = try figureDirectory("line") + "/constant-x\(Int(scale)).png"
            try chart.writePNG(to: path)
            let png = try DecodedPNG(path: path)
            XCTAssertEqual([png.width, png.height], [Int(1000 * scale), Int(700 * scale)])
            let l = try chart.layout()

            // The frame found in the pixels must sit just outside the documented plot area.
            let row = l.pixel(x: 0.5, y: 0.15).row
            let firstDark = (0..<png.width).first { x in png.at(x, row).allSatisfy { $0 < 90 } }!
            XCTAssertEqual(firstDark, Int((l.plotRect.x - 1) * scale), "left frame at scale \(scale)")
            let column = l.pixel(x: 0.57, y: 0).column
            let lowestDark = (0..<png.height).reversed().first { y in png.at(column, y).allSatisfy { $0 < 90 } }!
            XCTAssertEqual(lowestDark, Int(l.plotRect.maxY * scale) + Int(scale) - 1, "bottom frame")

            // With fixed ranges the mapping is affine in the plot area.
            let p = l.point(x: 0.3, y: 0.25)
            XCTAssertEqual(p.x, l.plotRect.x + 0.3 * l.plotRect.width, accuracy: 1e-9)
            XCTAssertEqual(p.y, l.plotRect.maxY - 0.25 * l.plotRect.height, accuracy: 1e-9)

            let blue = colorBytes(Palette.color(0))
            for x in [0.12, 0.3, 0.47, 0.66] {
                let px = l.pixel(x: x, y: 0.25)
                assertColor(png.at(px.column, px.row), blue, "series 'low' at x=\(x), scale \(scale)")
                // Eight logical pixels away the line must not be: it is a line, not a fill.
                XCTAssertTrue(png.at(px.column, px.row - Int(8 * scale)).allSatisfy { $0 > 200 },
                              "above 'low' at x=\(x)")
            }
            let dashedPixels = stride(from: 0.1, through: 0.5, by: 0.002).filter { x in
                let px = l.pixel(x: x, y: 0.75)
                return zip(png.at(px.column, px.row), colorBytes(Palette.color(1))).allSatisfy { abs($0 - $1) <= 3 }
            }.count
            // Dashes (7 on, 4 off) cover a bit over half of the length.
            XCTAssertGreaterThan(dashedPixels, 201 * 45 / 100)
            XCTAssertLessThan(dashedPixels, 201 * 80 / 100)
        }
    }

    func testLegendIsDrawnAndShowsEachSeriesColour() throws {
        let chart = constantChart(scale: 1)
        let path = try figureDirectory("line") + "/legend.png"
        try chart.writePNG(to: path)
        let png = try DecodedPNG(path: path)
        let box = try XCTUnwrap(chart.layout().legendRect)
        XCTAssertLessThanOrEqual(box.maxX, try chart.layout().plotRect.maxX)
        var dark = 0
        var seen = Set<[Int]>()
        for y in Int(box.y) + 2..<Int(box.maxY) - 2 {
            for x in Int(box.x) + 2..<Int(box.maxX) - 2 {
                let c = png.at(x, y)
                if c.allSatisfy({ $0 < 100 }) { dark += 1 }
                seen.insert(c)
            }
        }
        XCTAssertGreaterThan(dark, 60, "legend text")
        for i in 0..<2 {
            let want = colorBytes(Palette.color(i))
            XCTAssertTrue(seen.contains { zip($0, want).allSatisfy { abs($0 - $1) <= 3 } }, "swatch \(i)")
        }
    }

    func testBestLegendAvoidsTheData() throws {
        let xs = stride(from: 0.0, through: 1.0, by: 0.01).map { $0 }
        // The curve runs along the top: the legend must go to a lower corner.
        let chart = LineChart(title: "TAR", xLabel: "x", yLabel: "y",
                              series: [LineSeries(name: "near one", x: xs, y: xs.map { 0.97 + 0.02 * $0 }),
                                       LineSeries(name: "also near one", x: xs, y: xs.map { 0.99 - 0.02 * $0 })],
                              yRange: 0...1)
        let l = try chart.layout()
        let box = try XCTUnwrap(l.legendRect)
        XCTAssertGreaterThan(box.y, l.plotRect.y + l.plotRect.height / 2)
    }

    func testNaNBreaksTheLine() throws {
        let chart = LineChart(title: "gap", xLabel: "x", yLabel: "y",
                              series: [LineSeries(name: "s", x: [0, 0.25, 0.5, 0.75, 1],
                                                  y: [0.5, 0.5, .nan, 0.5, 0.5])],
                              xRange: 0...1, yRange: 0...1, legend: .hidden, width: 600, height: 400)
        let path = try figureDirectory("line") + "/nan.png"
        try chart.writePNG(to: path)
        let png = try DecodedPNG(path: path)
        let l = try chart.layout()
        let blue = colorBytes(Palette.color(0))
        for x in [0.1, 0.2, 0.8, 0.9] {
            let px = l.pixel(x: x, y: 0.5)
            assertColor(png.at(px.column, px.row), blue, "x=\(x)")
        }
        for x in [0.4, 0.5, 0.6] {
            let px = l.pixel(x: x, y: 0.5)
            XCTAssertTrue(png.at(px.column, px.row).allSatisfy { $0 > 200 }, "gap at x=\(x): \(png.at(px.column, px.row))")
        }
    }

    func testLogXPlacesDecadesEvenly() throws {
        let fars = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
        let chart = LineChart(title: "ROC", xLabel: "FAR", yLabel: "TAR",
                              series: [LineSeries(name: "flat", x: fars, y: fars.map { _ in 0.5 }, marker: .circle)],
                              logX: true, xRange: 1e-5...1e-1, yRange: 0...1, legend: .hidden)
        let l = try chart.layout()
        let a = l.point(x: 1e-5, y: 0).x, b = l.point(x: 1e-4, y: 0).x, e = l.point(x: 1e-1, y: 0).x
        XCTAssertEqual(a, l.plotRect.x, accuracy: 1e-9)
        XCTAssertEqual(e, l.plotRect.maxX, accuracy: 1e-9)
        XCTAssertEqual(b - a, l.plotRect.width / 4, accuracy: 1e-9)
        let path = try figureDirectory("line") + "/logx.png"
        try chart.writePNG(to: path)
        let png = try DecodedPNG(path: path)
        let px = l.pixel(x: 3e-3, y: 0.5)
        assertColor(png.at(px.column, px.row), colorBytes(Palette.color(0)), "log-x line")
    }

    func testBadSeriesAreClearErrors() {
        func problem(_ series: [LineSeries], logX: Bool = false) -> FigureError.Problem? {
            do {
                _ = try LineChart(title: "t", xLabel: "x", yLabel: "y", series: series, logX: logX).layout()
                return nil
            } catch let e as FigureError {
                return e.problem
            } catch {
                return nil
            }
        }
        XCTAssertEqual(problem([]), .noSeries)
        XCTAssertEqual(problem([LineSeries(name: "ok", x: [1], y: [1]), LineSeries(name: "e", x: [], y: [])]),
                       .emptySeries("e"))
        XCTAssertEqual(problem([LineSeries(name: "nan", x: [1, 2], y: [.nan, .infinity])]), .emptySeries("nan"))
        XCTAssertEqual(problem([LineSeries(name: "m", x: [1, 2], y: [1])]), .lengthMismatch(series: "m", x: 2, y: 1))
        XCTAssertEqual(problem([LineSeries(name: "neg", x: [-1, 0], y: [1, 2])], logX: true),
                       .nonPositiveOnLogAxis(series: "neg"))
        XCTAssertThrowsError(try LineChart(title: "t", xLabel: "x", yLabel: "y",
                                           series: [LineSeries(name: "a", x: [1], y: [1])],
                                           yRange: 1...1).layout())
    }

    /// The figures users see; kept when SCALEFACE_KEEP_FIGURES is set, checked for size here.
    func testReportStyleCharts() throws {
        let dir = try figureDirectory("gallery")
        let portions = (0...250).map { 0.5 * Double($0) / 250 }
        let fars = [1e-4, 1e-3, 1e-2]
        let perFAR = LineChart(
            title: "cosine_mean, rejecting by ScaleFace uncertainty", xLabel: "rejected portion",
            yLabel: "TAR",
            series: fars.enumerated().map { i, far in
                LineSeries(name: "FAR = \(far)", x: portions,
                           y: portions.map { min(1, 0.93 + 0.02 * Double(i) + 0.12 * $0 - 0.1 * $0 * $0) })
            })
        try perFAR.writePNG(to: dir + "/tar-per-far.png")
        let methods = ["cosine_mean", "cosine_harmonic-sum", "MLS_harmonic-harmonic", "PFE_MLS", "scale_mul",
                       "biased-cosine_mean", "cosine_squared-sum", "MLS_mean", "magface_norm"]
        let allMethods = LineChart(
            title: "All methods at FAR = 1e-4", xLabel: "rejected portion", yLabel: "TAR",
            series: methods.enumerated().map { i, m in
                let gain = 0.02 + 0.01 * Double(i)
                let ys = portions.map { 0.9 + gain * $0 / 0.5 }
                return LineSeries(name: "\(m) (AUC \(String(format: "%.4f", 0.45 + 0.003 * Double(i))))",
                                  x: portions, y: ys)
            }, legend: .outsideRight, scale: 2)
        try allMethods.writePNG(to: dir + "/all-methods.png")
        XCTAssertEqual(try DecodedPNG(path: dir + "/all-methods.png").width, 2000)
        let epochs = (1...40).map(Double.init)
        let loss = LineChart(title: "Head training", xLabel: "epoch", yLabel: "loss",
                             series: [LineSeries(name: "train", x: epochs, y: epochs.map { 2.5 * exp(-$0 / 9) + 0.4 }),
                                      LineSeries(name: "validation", x: epochs,
                                                 y: epochs.map { 2.6 * exp(-$0 / 10) + 0.5 }, marker: .circle)])
        try loss.writePNG(to: dir + "/loss.png")
        let rocFars = (0...50).map { pow(10, -6 + 5 * Double($0) / 50) }
        let roc = LineChart(title: "ROC", xLabel: "FAR", yLabel: "TAR",
                            series: [LineSeries(name: "ArcFace", x: rocFars, y: rocFars.map { 1 - 0.08 * pow($0, 0.25) * 0 - 0.05 / (1 + 800 * $0) })],
                            logX: true)
        try roc.writePNG(to: dir + "/roc.png")
    }
}
