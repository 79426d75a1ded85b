import Core
import Figures
import Analysis
import Foundation

/// Values behind one metric's histograms, split by label. At most `cap` values per label
/// are kept, every `ceil(n / cap)`-th one, so IJB-C's 15.6 million impostor pairs draw in
/// a fraction of a second; the shape of a 50-bin histogram does not change visibly.
public struct MetricHistograms: Sendable {
    public var scoreGenuine: [Double], scoreImpostor: [Double]
    public var uncertaintyGenuine: [Double], uncertaintyImpostor: [Double]

    static let cap = 1_000_000

    static func strided(_ v: [Float]) -> [Double] {
        let step = max(1, (v.count + cap - 1) / cap)
        return stride(from: 0, to: v.count, by: step).map { Double(v[$0]) }
    }

    init(ranks: ScoreRanks, uncertainty: [Float], labels: [Bool]) {
        scoreGenuine = Self.strided(ranks.posSorted)
        scoreImpostor = Self.strided(ranks.negSorted)
        var g: [Float] = [], i: [Float] = []
        let positives = ranks.posSorted.count
        let stepG = max(1, (positives + Self.cap - 1) / Self.cap)
        let stepI = max(1, (labels.count - positives + Self.cap - 1) / Self.cap)
        var ng = 0, ni = 0
        for (u, y) in zip(uncertainty, labels) {
            if y { if ng % stepG == 0 { g.append(u) }; ng += 1 } else { if ni % stepI == 0 { i.append(u) }; ni += 1 }
        }
        uncertaintyGenuine = g.map(Double.init)
        uncertaintyImpostor = i.map(Double.init)
    }
}

/// Writes OUT/figures/: per metric the TAR-versus-rejected-portion curves (one line per FAR)
/// and histograms of scores and pair uncertainties split by label; per FAR one figure with
/// every metric, its AUC in the legend. Returns the files written.
@discardableResult
public func writeEvaluationFigures(_ results: EvaluationResults, histograms: [String: MetricHistograms],
                                   to directory: String) throws -> [String] {
    let dir = (directory as NSString).appendingPathComponent(FiguresArtifact.folder)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var written: [String] = []
    func path(_ name: String) -> String {
        let safe = String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        let p = (dir as NSString).appendingPathComponent(safe + ".png")
        written.append(p)
        return p
    }
    let percent = results.portions.map { $0 * 100 }
    for (name, curve) in results.metrics {
        let chart = LineChart(title: "\(name): TAR as uncertain pairs are rejected", xLabel: "rejected pairs (%)",
                              yLabel: "TAR",
                              series: curve.fars.indices.map { f in
                                  LineSeries(name: "FAR \(EvaluationResults.format(curve.fars[f])) (AUC \(String(format: "%.4f", curve.auc[f])))",
                                             x: percent, y: curve.tar[f])
                              })
        try chart.writePNG(to: path("\(name)_reject"))
        if let h = histograms[name] {
            try Histogram(title: "\(name): scores", xLabel: "score",
                          samples: [HistogramSample(name: "genuine", values: h.scoreGenuine),
                                    HistogramSample(name: "impostor", values: h.scoreImpostor)],
                          bins: .count(50), density: true).writePNG(to: path("\(name)_scores"))
            try Histogram(title: "\(name): pair uncertainty", xLabel: "pair uncertainty",
                          samples: [HistogramSample(name: "genuine", values: h.uncertaintyGenuine),
                                    HistogramSample(name: "impostor", values: h.uncertaintyImpostor)],
                          bins: .count(50), density: true).writePNG(to: path("\(name)_uncertainty"))
        }
    }
    if !results.metrics.isEmpty {
        for (f, far) in results.fars.enumerated() {
            let chart = LineChart(title: "All metrics at FAR \(EvaluationResults.format(far))", xLabel: "rejected pairs (%)",
                                  yLabel: "TAR",
                                  series: results.metrics.map { name, curve in
                                      LineSeries(name: "\(name) (AUC \(String(format: "%.4f", curve.auc[f])))",
                                                 x: percent, y: curve.tar[f])
                                  })
            try chart.writePNG(to: path("all_far_\(EvaluationResults.format(far))"))
        }
    }
    if let figure = templateVersusSingleFigure(results) { try figure.writePNG(to: path(templateVersusSingleFigureName)) }
    return written
}

/// The stem of the template-versus-single-image figure's file under figures/.
let templateVersusSingleFigureName = "template_vs_single"

/// The template-versus-single-image figure (docs/figures.md, "Template versus single image"),
/// in the layout of the paper's template figure: one panel per FAR, TAR against the rejected
/// portion, every reject metric a curve with its AUC in the legend, the legend under each panel
/// so that it covers no curve (panels widen to fit it); 2x scale for print. Nil unless the results are a
/// `fusion --equal-uncertainty-enroll` run with reject metrics.
func templateVersusSingleFigure(_ results: EvaluationResults) -> ChartPanels? {
    guard results.kind == .fusion, results.equalUncertaintyEnroll, !results.metrics.isEmpty else { return nil }
    var panels = results.fars.indices.map { f in
        let tar = results.metrics.flatMap { $0.curve.tar[f] }.filter(\.isFinite)
        return LineChart(title: "TAR@FAR=\(EvaluationResults.format(results.fars[f]))", xLabel: "Rejected portion", yLabel: "TAR",
                         series: results.metrics.map { name, curve in
                             LineSeries(name: "\(name) (AUC \(String(format: "%.3f", curve.auc[f])))", x: results.portions, y: curve.tar[f])
                         },
                         yRange: tar.min() == tar.max() ? -0.04...1.04 : nil,  // a flat TAR: the whole TAR scale
                         legend: .below, width: 560, height: 480 + 21 * Double(results.metrics.count))
    }
    // every panel as wide as the widest legend needs (long metric names), so none spills over
    let needed = panels.compactMap { try? $0.layout().legendRect?.maxX }.max() ?? 0
    for i in panels.indices { panels[i].width = max(panels[i].width, (needed + 16).rounded(.up)) }
    return ChartPanels(panels: panels, scale: 2)
}
