import Core
import Figures
import Foundation

extension Scorecard {
    /// scorecard.json, scorecard.csv (one row per check), figures/reject_far_<far>.png (every
    /// reject curve at the FAR, AUC ratios in the legend) and figures.json.
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeData(try encoder.encode(self), to: directory.appendingPathComponent("scorecard.json").path)
        var csv = "check,value,target,pass\n"
        for c in checks {
            csv += "\"\(c.name)\",\(c.value.map { String($0) } ?? ""),\(c.target),\(c.pass)\n"
        }
        try writeText(csv, to: directory.appendingPathComponent("scorecard.csv").path)

        let figures = directory.appendingPathComponent("figures")
        try FileManager.default.createDirectory(at: figures, withIntermediateDirectories: true)
        let file = "reject_far_\(shortNumber(far)).png"
        let series = curves.map { c -> LineSeries in
            let points = zip(c.portions, c.tar).compactMap { p, t in t.map { (p, $0) } }
            let ratio = c.aucRatio.map { String(format: ", %.3fx %@", $0, baseline) } ?? ""
            let name = "\(c.strategy.isEmpty ? c.stage : c.strategy), \(c.metric) (AUC \(c.auc.map { String(format: "%.4f", $0) } ?? "-")\(ratio))"
            return LineSeries(name: name, x: points.map(\.0), y: points.map(\.1),
                              style: c.stage == baseline ? .dashed : .solid)
        }
        try LineChart(title: "TAR@FAR=\(shortNumber(far)) as uncertain pairs are rejected",
                      xLabel: "rejected portion of pairs", yLabel: "TAR@FAR=\(shortNumber(far))", series: series)
            .writePNG(to: figures.appendingPathComponent(file).path)
        try FigureEntry.writeManifest([
            FigureEntry(file: "figures/\(file)", title: "Reject curves at FAR \(shortNumber(far))",
                        caption: "TAR at FAR \(shortNumber(far)) against the rejected portion, one curve per strategy (pair uncertainty as named in the legend); the dashed curve is the baseline `\(baseline)`. A strategy that knows when the model is wrong rises above it."),
        ], to: directory.path)
    }
}
