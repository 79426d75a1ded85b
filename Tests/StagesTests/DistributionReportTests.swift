import Foundation
import XCTest
@testable import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class DistributionReportTests: XCTestCase {
    func testVectorStrategiesReduceByHarmonicMean() {
        // hm(1, 2, 4) = 3 / (1 + 1/2 + 1/4) = 12/7; hm(3, 3, 3) = 3.
        let d = UncertaintyDistribution(strategy: "head", mode: .uncertainty, values: [1, 2, 4, 3, 3, 3], width: 3)
        XCTAssertEqual(d.values[0], 12.0 / 7.0, accuracy: 1e-6)
        XCTAssertEqual(d.values[1], 3, accuracy: 1e-6)
    }

    func testCertaintyOrderFollowsTheMode() {
        let values: [Float] = [0.5, 0.1, 0.9, 0.1]
        XCTAssertEqual(UncertaintyDistribution(strategy: "u", mode: .uncertainty, values: values, width: 1).certaintyOrder, [1, 3, 0, 2])
        XCTAssertEqual(UncertaintyDistribution(strategy: "c", mode: .confidence, values: values, width: 1).certaintyOrder, [2, 0, 1, 3])
    }

    func testDecileSamplesComeFromTheExtremeTenths() {
        let values = (0..<100).map { Float($0) }
        let d = UncertaintyDistribution(strategy: "c", mode: .confidence, values: values, width: 1)
        let (best, worst) = d.decileSamples(count: 5, seed: 3)
        XCTAssertEqual(best.count, 5)
        XCTAssertEqual(Set(best).count, 5)
        XCTAssertTrue(best.allSatisfy { $0 >= 90 }, "\(best)")
        XCTAssertTrue(worst.allSatisfy { $0 < 10 }, "\(worst)")
    }

    /// Runs a small pipeline to a report and checks every file the page refers to exists.
    func testReportLinksOnlyFilesThatExist() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let text = """
        name: r
        outputs: out
        stages:
          data:
            kind: synth-embeddings
            params: {identities: 30, images_per_identity: 4, dimension: 16}
          store:
            kind: import
            inputs: {data: data}
            params: {uncertainty: ["scale=confidence.npy:confidence"]}
          dist:
            kind: distribution
            inputs: {store: store}
          report:
            kind: report
            inputs: {store: store, dist: dist}
        """
        let path = dir.appendingPathComponent("p.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var runner = Runner(pipeline: try PipelineFile.load(path), registry: StageRegistry.kinds)
        runner.quiet = true
        try runner.run()
        let report = dir.appendingPathComponent("out/report")
        let html = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
        let refs = ReportLinks.references(in: html)
        XCTAssertTrue(refs.contains("dist/scale_histogram.png"), "\(refs)")
        for r in refs where !r.hasPrefix("#") {
            XCTAssertTrue(FileManager.default.fileExists(atPath: report.appendingPathComponent(r).path), "missing \(r)")
        }
        let check = try TestSupport.run(URL(fileURLWithPath: "/bin/bash"),
                                        [TestSupport.repoRoot.appendingPathComponent("tools/check_report.sh").path, report.path])
        if check.status == 2 {
            print("skipping the Chromium render check: \(check.stderr)")
        } else {
            XCTAssertEqual(check.status, 0, check.stderr)
            XCTAssertEqual(check.stdout, "report ok: 1 images loaded\n")
        }
        let values = try NpyFile.readFloats(dir.appendingPathComponent("out/dist/scale.npy").path)
        let confidence = try NpyFile.readFloats(dir.appendingPathComponent("out/data/confidence.npy").path)
        XCTAssertEqual(values.values, confidence.values, "the distribution holds the stored values in store order")
    }
}

/// `src` and `href` values of an HTML page.
enum ReportLinks {
    static func references(in html: String) -> [String] {
        var out: [String] = []
        for attr in ["src=\"", "href=\""] {
            var rest = Substring(html)
            while let r = rest.range(of: attr) {
                let after = rest[r.upperBound...]
                guard let end = after.firstIndex(of: "\"") else { break }
                out.append(String(after[..<end]))
                rest = after[end...]
            }
        }
        return out
    }
}
