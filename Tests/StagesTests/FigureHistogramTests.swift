import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class FigureHistogramTests: XCTestCase {
    func testCountsFollowNumpySemantics() throws {
        // Hand count: edges 0,1,2,3,4; bins [0,1) [1,2) [2,3) [3,4] (last one closed).
        var h = Histogram(title: "t", xLabel: "v",
                          samples: [HistogramSample(name: "a", values: [0, 1, 1, 2, 3, 4, .nan])], bins: .count(4))
        var t = try h.table()
        XCTAssertEqual(t.edges, [0, 1, 2, 3, 4])
        XCTAssertEqual(t.heights, [[1, 2, 1, 2]])
        XCTAssertEqual(t.counted, [6])
        h.density = true
        t = try h.table()
        XCTAssertEqual(t.heights[0], [1.0 / 6, 2.0 / 6, 1.0 / 6, 2.0 / 6])

        // Explicit edges: out-of-range values are dropped; density divides by the bin width.
        h = Histogram(title: "t", xLabel: "v",
                      samples: [HistogramSample(name: "a", values: [-1, 0, 0.25, 0.5, 1.9, 2, 5])],
                      bins: .edges([0, 0.5, 2]), density: true)
        t = try h.table()
        XCTAssertEqual(t.counted, [5])
        XCTAssertEqual(t.heights[0][0], 2.0 / (5 * 0.5), accuracy: 1e-15)
        XCTAssertEqual(t.heights[0][1], 3.0 / (5 * 1.5), accuracy: 1e-15)

        // Samples share edges computed over all of them; a single value gets a unit-wide range.
        h = Histogram(title: "t", xLabel: "v", samples: [HistogramSample(name: "a", values: [2, 2]),
                                                         HistogramSample(name: "b", values: [2])], bins: .count(2))
        t = try h.table()
        XCTAssertEqual(t.edges, [1.5, 2, 2.5])
        XCTAssertEqual(t.heights, [[0, 2], [0, 1]])
    }

    func testBadInputIsAClearError() {
        func problem(_ h: Histogram) -> FigureError.Problem? {
            do { _ = try h.table(); return nil } catch let e as FigureError { return e.problem } catch { return nil }
        }
        XCTAssertEqual(problem(Histogram(title: "t", xLabel: "v")), .noSeries)
        XCTAssertEqual(problem(Histogram(title: "t", xLabel: "v",
                                         samples: [HistogramSample(name: "nan only", values: [.nan])])),
                       .emptySeries("nan only"))
        if case .invalidBins = problem(Histogram(title: "t", xLabel: "v",
                                                 samples: [HistogramSample(name: "a", values: [1])], bins: .count(0))) {
        } else { XCTFail("bin count 0 accepted") }
        if case .invalidBins = problem(Histogram(title: "t", xLabel: "v", samples: [HistogramSample(name: "a", values: [1])],
                                                 bins: .edges([0, 1, 1]))) {
        } else { XCTFail("repeated edge accepted") }
    }

    func testBarsAreFilledWithTheSampleColour() throws {
        // Ten values 0...9 in ten bins: every bar has height 1.
        let h = Histogram(title: "Uniform", xLabel: "value",
                          samples: [HistogramSample(name: "uniform", values: (0..<10).map(Double.init))],
                          bins: .count(10), legend: .hidden)
        let path = try figureDirectory("histogram") + "/uniform.png"
        try h.writePNG(to: path)
        let png = try DecodedPNG(path: path)
        XCTAssertEqual([png.width, png.height], [1000, 700])
        let l = try h.layout()
        XCTAssertEqual(l.yAxis.lower, 0)
        let a = Histogram.fillAlpha
        let fill = colorBytes(Palette.color(0)).map { Int((Double($0) * a + 255 * (1 - a)).rounded()) }
        // Bin 1 spans [0.9, 1.8): its centre at half height lies off every grid line.
        let inside = l.pixel(x: 1.35, y: 0.5)
        assertColor(png.at(inside.column, inside.row), fill, "bar interior")
        let above = l.pixel(x: 1.35, y: 1.03)
        XCTAssertTrue(png.isBackground(above.column, above.row), "above the bar: \(png.at(above.column, above.row))")
        // The outline runs along the top of the bars.
        let top = l.pixel(x: 4.95, y: 1)
        let outline = (top.row - 1...top.row + 1).map { png.at(top.column, $0) }
        XCTAssertTrue(outline.contains { zip($0, colorBytes(Palette.color(0))).allSatisfy { abs($0 - $1) <= 40 } },
                      "outline \(outline)")
    }

    func testOverlaidSamplesAndLegend() throws {
        var rng = SplitMix(seed: 7)
        let genuine = (0..<4000).map { _ in 0.55 + 0.12 * rng.normal() }
        let impostor = (0..<8000).map { _ in 0.05 + 0.09 * rng.normal() }
        let h = Histogram(title: "Scores by label", xLabel: "cosine similarity",
                          samples: [HistogramSample(name: "genuine", values: genuine),
                                    HistogramSample(name: "impostor", values: impostor)],
                          density: true)
        let path = try figureDirectory("histogram") + "/scores.png"
        try h.writePNG(to: path)
        let png = try DecodedPNG(path: path)
        let l = try h.layout()
        let box = try XCTUnwrap(l.legendRect)
        // The two bell curves sit in the middle: the legend must go to a free upper corner.
        XCTAssertLessThan(box.y, l.plotRect.y + l.plotRect.height / 2)
        let dark = (Int(box.y)..<Int(box.maxY)).flatMap { y in (Int(box.x)..<Int(box.maxX)).map { (x: $0, y: y) } }
            .filter { png.at($0.x, $0.y).allSatisfy { $0 < 100 } }.count
        XCTAssertGreaterThan(dark, 40)
        // Numerically integrated density is 1 for each sample.
        let t = try h.table()
        for heights in t.heights {
            let area = zip(heights, zip(t.edges, t.edges.dropFirst())).reduce(0) { $0 + $1.0 * ($1.1.1 - $1.1.0) }
            XCTAssertEqual(area, 1, accuracy: 1e-12)
        }
        let uncert = Histogram(title: "ScaleFace uncertainty, 50 bins", xLabel: "uncertainty",
                               samples: [HistogramSample(name: "all images", values: (0..<20000).map { _ in
                                   exp(0.4 * rng.normal()) })], density: true, scale: 2)
        try uncert.writePNG(to: try figureDirectory("histogram") + "/uncertainty.png")
    }
}

/// Small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
