import Figures
import Foundation

/// Describes the figures an evaluation wrote under `figures/`, for the report.
enum EvaluationFigureManifest {
    static func write(_ directory: URL) throws {
        let dir = directory.appendingPathComponent(FiguresArtifact.folder)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        var all: [FigureEntry] = [], reject: [FigureEntry] = [], hist: [FigureEntry] = []
        for f in files {
            let stem = String(f.dropLast(4))
            if stem == templateVersusSingleFigureName {
                all.insert(FigureEntry(file: "figures/\(f)", title: "Template versus single image",
                                       caption: "Each panel: TAR at one FAR against the rejected portion of template pairs (enrolment template against a single verification image), one curve per reject metric; the legend gives each curve's AUC."), at: 0)
            } else if stem.hasPrefix("all_far_") {
                let far = stem.dropFirst("all_far_".count)
                all.append(FigureEntry(file: "figures/\(f)", title: "All metrics at FAR \(far)",
                                       caption: "TAR at FAR \(far) against the rejected portion for every metric; the legend gives each curve's AUC."))
            } else if stem.hasSuffix("_reject") {
                let m = stem.dropLast("_reject".count)
                reject.append(FigureEntry(file: "figures/\(f)", title: "`\(m)`: reject curves",
                                          caption: "TAR against the rejected portion, one curve per FAR, AUC in the legend."))
            } else if stem.hasSuffix("_scores") {
                let m = stem.dropLast("_scores".count)
                hist.append(FigureEntry(file: "figures/\(f)", title: "`\(m)`: scores by label",
                                        caption: "Density of pair scores for genuine and impostor pairs."))
            } else if stem.hasSuffix("_uncertainty") {
                let m = stem.dropLast("_uncertainty".count)
                hist.append(FigureEntry(file: "figures/\(f)", title: "`\(m)`: pair uncertainties by label",
                                        caption: "Density of pair uncertainties for genuine and impostor pairs."))
            } else {
                hist.append(FigureEntry(file: "figures/\(f)", title: stem.replacingOccurrences(of: "_", with: " "), caption: ""))
            }
        }
        try FigureEntry.writeManifest(all + reject + hist, to: directory.path)
    }
}
