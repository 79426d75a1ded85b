import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class FigureAxisTests: XCTestCase {
    func testLinearTicksAreOneTwoFiveMultiples() {
        let unit = AxisScale.linear(dataMin: 0, dataMax: 1, range: 0...1)
        // span 1: at most 8 intervals means a step of at least 0.125, so 0.2.
        XCTAssertEqual(unit.ticks.count, 6)
        for (t, want) in zip(unit.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0]) { XCTAssertEqual(t, want, accuracy: 1e-12) }
        XCTAssertEqual(unit.ticks.map(unit.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])

        let half = AxisScale.linear(dataMin: 0, dataMax: 0.5, range: 0...0.5)
        XCTAssertEqual(half.ticks.map(half.label), ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5"])

        let big = AxisScale.linear(dataMin: 0, dataMax: 4000, range: 0...4000)
        XCTAssertEqual(big.ticks.map(big.label), ["0", "500", "1000", "1500", "2000", "2500", "3000", "3500", "4000"])

        let tar = AxisScale.linear(dataMin: 0.93, dataMax: 0.99, range: 0.93...0.99)
        XCTAssertEqual(tar.ticks.map(tar.label), ["0.93", "0.94", "0.95", "0.96", "0.97", "0.98", "0.99"])
    }

    func testPaddedLimitsContainDataAndTicksStayInside() {
        let a = AxisScale.linear(dataMin: -3, dataMax: 7, range: nil)
        XCTAssertEqual(a.lower, -3.4, accuracy: 1e-12)
        XCTAssertEqual(a.upper, 7.4, accuracy: 1e-12)
        XCTAssertEqual(a.ticks.first!, -2, accuracy: 1e-12)
        XCTAssertEqual(a.ticks.last!, 6, accuracy: 1e-12)
        XCTAssertEqual(a.fraction(a.lower), 0)
        XCTAssertEqual(a.fraction(a.upper), 1)
        // A constant series still gets a non-empty axis around its value.
        let c = AxisScale.linear(dataMin: 2, dataMax: 2, range: nil)
        XCTAssertTrue(c.lower < 2 && c.upper > 2)
    }

    func testLogTicksArePowersOfTenWithMinorTicks() {
        let a = AxisScale.logarithmic(dataMin: 1e-6, dataMax: 1e-1, range: 1e-6...1e-1)
        XCTAssertEqual(a.ticks.count, 6)
        for (t, e) in zip(a.ticks, -6...(-1)) { XCTAssertEqual(t, pow(10, Double(e)), accuracy: t * 1e-12) }
        XCTAssertEqual(a.ticks.map(a.label), ["10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹"])
        XCTAssertEqual(a.minorTicks.count, 5 * 8)
        XCTAssertEqual(a.fraction(1e-6), 0, accuracy: 1e-12)
        XCTAssertEqual(a.fraction(1e-1), 1, accuracy: 1e-12)
        XCTAssertEqual(a.fraction(1e-3), 0.6, accuracy: 1e-12)
    }
}
