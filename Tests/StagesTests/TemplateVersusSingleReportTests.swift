import Foundation
import XCTest
import Core
@testable import Figures
@testable import Imaging
@testable import Stages

/// The template-versus-single-image figure of `fusion --equal-uncertainty-enroll` (series,
/// legend labels, panel layout, the PNG) and the report's fusion comparison table (its
/// numbers against results.json read independently, the best of each column marked).
final class TemplateVersusSingleReportTests: XCTestCase {
    static let reject = ["mean_cosine_mean", "weighted_cosine_mean", "mean_scale-sqrt-harmonic-biased-cosine_harmonic-harmonic"]
    static let fars = [0.05, 0.1]

    /// A 20-identity store and an insightface protocol: template 2i holds image 0 of identity
    /// i, template 2i+1 images 1 and 2; every even template against every odd one.
    private func fusionRun(_ dir: URL, single: Bool) throws -> (out: URL, results: EvaluationResults) {
        let store = try TestSupport.syntheticStore(dir)
        let meta = dir.appendingPathComponent("meta")
        try TestSupport.writeInsightFaceTemplates(meta, oddLeft: true)  // enrolment: the 2-image templates
        let out = dir.appendingPathComponent("out")
        var args = ["--store", store.path, "--protocol", meta.path, "--protocol-format", "insightface", "--strategy", "scale",
                    "--fusions", "mean_cosine,weighted_cosine", "--reject-metrics", Self.reject.joined(separator: ","),
                    "--bias", "0.26", "--fars", "0.05,0.1", "--portions", "0:0.5:11"]
        if single { args.append("--equal-uncertainty-enroll") }
        let results = try FusionJob(try FusionOptions.parse(args)).run(out: out.path, log: Log(quiet: true))
        try EvaluationFigureManifest.write(out)
        return (out, results)
    }

    private func json(_ url: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func testTemplateVersusSingleFigureHasOnePanelPerFARWithEveryMetricAndItsAUC() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let (out, results) = try fusionRun(dir, single: true)
        let file = try json(out.appendingPathComponent("results.json"))
        let metrics = try XCTUnwrap(file["metrics"] as? [String: [String: Any]])

        let figure = try XCTUnwrap(templateVersusSingleFigure(results))
        XCTAssertEqual(figure.panels.map(\.title), ["TAR@FAR=0.05", "TAR@FAR=0.1"])
        for (f, panel) in figure.panels.enumerated() {
            XCTAssertEqual(panel.xLabel, "Rejected portion")
            XCTAssertEqual(panel.yLabel, "TAR")
            // legend labels from results.json: "name (AUC x.xxx)", in the order requested
            let expected = try Self.reject.map { name -> String in
                let auc = try XCTUnwrap((metrics[name]?["auc"] as? [Double])?[f])
                return "\(name) (AUC \(String(format: "%.3f", auc)))"
            }
            XCTAssertEqual(panel.series.map(\.name), expected)
            // (Foundation's JSON parser may be off in the last bit: compared to 1e-12)
            func close(_ a: [Double], _ b: [Double]?) -> Bool {
                guard let b, a.count == b.count else { return false }
                return zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 }
            }
            for (s, name) in zip(panel.series, Self.reject) {
                XCTAssertTrue(close(s.x, file["portions"] as? [Double]), "\(s.x)")
                XCTAssertTrue(close(s.y, (metrics[name]?["tar"] as? [[Double]])?[f]), "\(name): \(s.y)")
            }
            // the legend sits under the plot area: it covers no curve
            let layout = try panel.layout()
            let legend = try XCTUnwrap(layout.legendRect)
            XCTAssertGreaterThan(legend.y, layout.plotRect.maxY)
            XCTAssertLessThanOrEqual(legend.maxY, panel.height)
            XCTAssertLessThanOrEqual(legend.maxX, panel.width)
        }

        // the PNG: panels side by side at 2x, and listed first in figures.json
        let png = try RGBImage.decode(path: out.appendingPathComponent("figures/template_vs_single.png").path)
        XCTAssertEqual(png.width, Int(2 * 2 * figure.panels[0].width))
        XCTAssertEqual(png.height, Int(2 * figure.panels[0].height))
        let manifest = try XCTUnwrap(FigureEntry.readManifest(in: out.path))
        XCTAssertEqual(manifest.first?.file, "figures/template_vs_single.png")
        XCTAssertEqual(manifest.first?.title, "Template versus single image")

        // the full (template versus template) setup does not draw it
        let full = try fusionRun(dir.appendingPathComponent("full"), single: false)
        XCTAssertNil(templateVersusSingleFigure(full.results))
        XCTAssertFalse(FileManager.default.fileExists(atPath: full.out.appendingPathComponent("figures/template_vs_single.png").path))
    }

    func testReportFusionComparisonTableHoldsResultsJSONValuesAndMarksTheBest() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let (out, _) = try fusionRun(dir, single: true)
        let report = dir.appendingPathComponent("report")
        try ReportPage(title: "t", sections: [.init(stage: "fusion", kind: "fusion", directory: out)]).write(to: report)
        let html = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<h3>Fusion comparison</h3>"))
        XCTAssertTrue(html.contains("fusion/figures/template_vs_single.png"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: report.appendingPathComponent("fusion/figures/template_vs_single.png").path))

        // expected rows straight from results.json: verification TARs; reject TAR at portion 0 and AUC
        let file = try json(out.appendingPathComponent("results.json"))
        let verification = try XCTUnwrap(file["verification"] as? [String: [String: Any]])
        let metrics = try XCTUnwrap(file["metrics"] as? [String: [String: Any]])
        XCTAssertEqual((file["portions"] as? [Double])?.first, 0)
        var rows: [(String, [Double?])] = []
        for name in verification.keys.sorted() {
            rows.append((name, (verification[name]!["tar"] as! [Double]) + [nil, nil]))
        }
        for name in metrics.keys.sorted() {
            let tar = (metrics[name]!["tar"] as! [[Double]]).map { $0[0] }
            rows.append((name, tar + (metrics[name]!["auc"] as! [Double])))
        }
        XCTAssertEqual(rows.count, 5)
        let table = try XCTUnwrap(html.components(separatedBy: "<table class=\"fusion-comparison\">").dropFirst().first?
            .components(separatedBy: "</table>").first)
        XCTAssertTrue(table.contains("<th>TAR@FAR=0.05</th><th>TAR@FAR=0.1</th><th>AUC@FAR=0.05</th><th>AUC@FAR=0.1</th>"))
        let best = (0..<4).map { c in rows.compactMap { $0.1[c] }.map { ($0 * 10_000).rounded() }.max()! }
        var marked = 0
        for (name, values) in rows {
            var cells = "<tr><td>\(name)</td>"
            for (c, v) in values.enumerated() {
                guard let v else { cells += "<td>–</td>"; continue }
                let text = String(format: "%.4f", v)
                let isBest = (v * 10_000).rounded() == best[c]
                if isBest { marked += 1 }
                cells += isBest ? "<td class=\"best\"><b>\(text)</b></td>" : "<td>\(text)</td>"
            }
            XCTAssertTrue(table.contains(cells + "</tr>"), "missing row \(cells) in \(table)")
        }
        XCTAssertGreaterThanOrEqual(marked, 4)
        XCTAssertEqual(table.components(separatedBy: "class=\"best\"").count - 1, marked)
    }

    func testChartPanelsSizeAndErrors() throws {
        let chart = LineChart(title: "a", xLabel: "x", yLabel: "y", series: [LineSeries(name: "s", x: [0, 1], y: [0, 1])],
                              width: 300, height: 200)
        let panels = ChartPanels(panels: [chart, chart, chart], columns: 2)
        let size = try panels.logicalSize()
        XCTAssertEqual(size.width, 600)
        XCTAssertEqual(size.height, 400)
        XCTAssertEqual(panels.origins().map(\.x), [0, 300, 0])
        XCTAssertEqual(panels.origins().map(\.y), [0, 0, 200])
        XCTAssertThrowsError(try ChartPanels(panels: []).logicalSize())
    }
}
