import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// Each degradation, rendered on the same picture at increasing severity, changes the pixels
/// the way docs/synthetic.md defines it; and what severity.csv records is what was applied.
final class SynthDegradationTests: XCTestCase {
    private let faces = SyntheticFaces(identities: 4, imagesPerIdentity: 3, seed: 21)

    private func render(_ s: DegradationSeverity, identity: Int = 1, index: Int = 2) throws -> RGBImage {
        try faces.render(identity: identity, index: index, severity: s).image
    }

    /// Sum of squared horizontal and vertical differences of the channel sums.
    private func gradientEnergy(_ im: RGBImage) -> Double {
        func lum(_ x: Int, _ y: Int) -> Double { let p = im.pixel(x: x, y: y); return Double(Int(p.0) + Int(p.1) + Int(p.2)) }
        var e = 0.0
        for y in 0..<(im.height - 1) {
            for x in 0..<(im.width - 1) {
                let dx = lum(x + 1, y) - lum(x, y), dy = lum(x, y + 1) - lum(x, y)
                e += dx * dx + dy * dy
            }
        }
        return e
    }

    private let levels = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]

    func testOverallSeverityCombinesTheKinds() {
        XCTAssertEqual(DegradationSeverity.clean.overall, 0)
        XCTAssertEqual(DegradationSeverity(blur: 0.5, noise: 0.5).overall, 0.75, accuracy: 1e-12)
        XCTAssertEqual(DegradationSeverity(dark: 0.2, occlusion: 0.5, downscale: 0.1).overall, 1 - 0.8 * 0.5 * 0.9, accuracy: 1e-12)
        XCTAssertEqual(DegradationSeverity(downscale: 1).overall, 1)
    }

    func testBlurAndDownscalingLowerGradientEnergyMonotonically() throws {
        for kind in ["blur", "downscale"] {
            let energies = try levels.map { s in
                gradientEnergy(try render(kind == "blur" ? DegradationSeverity(blur: s) : DegradationSeverity(downscale: s)))
            }
            print("synth \(kind) gradient energy by severity \(levels): \(energies.map { Int($0) })")
            for k in 1..<energies.count {
                XCTAssertLessThan(energies[k], energies[k - 1], "\(kind) at \(levels[k])")
            }
            XCTAssertLessThan(energies.last!, 0.5 * energies[0], kind)
        }
    }

    func testNoiseHasTheDocumentedStandardDeviation() throws {
        let clean = try render(.clean)
        for s in [0.25, 0.5, 1.0] {
            let noisy = try render(DegradationSeverity(noise: s))
            var sum = 0.0, sum2 = 0.0, n = 0.0
            for (a, b) in zip(clean.pixels, noisy.pixels) where b > 0 && b < 255 && a > 40 && a < 215 {
                let d = Double(b) - Double(a)
                sum += d; sum2 += d * d; n += 1
            }
            let sd = (sum2 / n - (sum / n) * (sum / n)).squareRoot()
            let want = Double(FaceDegradation.maxNoiseSigma) * s
            XCTAssertEqual(sd, want, accuracy: 0.05 * want + 0.3, "noise \(s)")
            XCTAssertEqual(sum / n, 0, accuracy: 0.05 * want + 0.3, "noise \(s) is centred")
        }
    }

    func testDarkeningFollowsTheGammaFormula() throws {
        let clean = try render(.clean)
        var previousMean = Double.infinity
        for s in levels.dropFirst() {
            let dark = try render(DegradationSeverity(dark: s))
            // v -> 255 (1 - 0.7 s) (v / 255)^(1 + 1.2 s), checked from the quantised clean picture:
            // the formula's slope is at most ~1, so the two roundings allow one level.
            var worst = 0.0
            for (a, b) in zip(clean.pixels, dark.pixels) {
                let want = 255 * (1 - 0.7 * s) * pow(Double(a) / 255, 1 + 1.2 * s)
                worst = max(worst, abs(want - Double(b)))
            }
            XCTAssertLessThanOrEqual(worst, 1.5, "dark \(s)")
            let mean = Double(dark.pixels.reduce(0) { $0 + Int($1) }) / Double(dark.pixels.count)
            XCTAssertLessThan(mean, previousMean)
            previousMean = mean
        }
    }

    func testOcclusionIsASolidRectangleGrowingWithSeverity() throws {
        let clean = try render(.clean)
        var previous = 0
        for s in levels.dropFirst() {
            let occluded = try render(DegradationSeverity(occlusion: s))
            var changed: [(Int, Int)] = []
            for y in 0..<clean.height {
                for x in 0..<clean.width where !(clean.pixel(x: x, y: y) == occluded.pixel(x: x, y: y)) {
                    changed.append((x, y))
                }
            }
            XCTAssertGreaterThan(changed.count, previous, "occlusion \(s)")
            previous = changed.count
            // One colour fills the changed box (pixels of the scene that happen to share the
            // occluder's colour would be the only holes).
            let xs = changed.map(\.0), ys = changed.map(\.1)
            let box = (xs.max()! - xs.min()! + 1) * (ys.max()! - ys.min()! + 1)
            XCTAssertGreaterThan(Double(changed.count) / Double(box), 0.97, "occlusion \(s)")
            let colours = Set(changed.map { p -> [UInt8] in let c = occluded.pixel(x: p.0, y: p.1); return [c.0, c.1, c.2] })
            XCTAssertEqual(colours.count, 1, "occlusion \(s)")
        }
    }

    func testWrittenPicturesCarryTheirRecordedSeverity() throws {
        let dir = try TestSupport.scratchDirectory(self).appendingPathComponent("data")
        let data = SyntheticFaces(identities: 8, imagesPerIdentity: 6, seed: 5, size: 64, rawSize: 96)
        try data.write(to: dir.path)
        let rows = try String(contentsOf: dir.appendingPathComponent("severity.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows.count, 48)
        var clean = 0, noiseOnly = 0
        for row in rows {
            let v = row.dropFirst().map { Double($0)! }
            let parts = row[0].split(separator: "/")
            let identity = Int(parts[0])! - 1, index = Int(parts[1].suffix(8).prefix(4))! - 1
            let written = try RGBImage.decode(path: dir.appendingPathComponent("images/" + row[0]).path)
            let pristine = try data.render(identity: identity, index: index, severity: .clean).image
            XCTAssertEqual(v[0], 1 - v[1...].reduce(1) { $0 * (1 - $1) }, accuracy: 2e-6, row[0])
            if v[0] == 0 {
                XCTAssertEqual(written, pristine, "\(row[0]) is recorded clean")
                clean += 1
                continue
            }
            XCTAssertNotEqual(written, pristine, "\(row[0]) is recorded degraded")
            if v[1] == 0 && v[3] == 0 && v[4] == 0 && v[5] == 0 {
                // Noise alone: the residual's spread is the recorded level's sigma.
                var sum2 = 0.0, n = 0.0
                for (a, b) in zip(pristine.pixels, written.pixels) where b > 0 && b < 255 && a > 40 && a < 215 {
                    sum2 += (Double(b) - Double(a)) * (Double(b) - Double(a)); n += 1
                }
                let want = Double(FaceDegradation.maxNoiseSigma) * v[2]
                XCTAssertEqual((sum2 / n).squareRoot(), want, accuracy: 0.08 * want + 0.5, row[0])
                noiseOnly += 1
            }
        }
        XCTAssertGreaterThan(clean, 3)
        XCTAssertGreaterThan(noiseOnly, 0)
    }
}
