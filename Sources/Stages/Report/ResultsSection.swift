import Analysis
import Core
import Foundation

/// The results.json of a `reject` or `fusion` stage (read through `ResultsFile`): for fusion
/// the comparison table (`FusionComparisonTable`), and per metric the TAR with nothing
/// rejected, the TAR at the largest rejected portion and the AUC, per FAR; LFW's 10-fold
/// accuracy when present; results.json and results.csv linked.
struct ResultsSection: ReportSection {
    static let kinds = [RejectKind.kind, FusionKind.kind]
    var directory: URL
    var results: ResultsFile

    init?(_ artifact: ReportPage.Section) throws {
        guard Self.kinds.contains(artifact.kind) else { return nil }
        directory = artifact.directory
        results = try ResultsFile.read(directory.appendingPathComponent(ResultsArtifact.file))
    }

    func html(_ out: ReportFolder) throws -> String {
        for name in [ResultsArtifact.file, ResultsArtifact.table] where FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            try out.copy(directory.appendingPathComponent(name), as: name)
        }
        let (fars, portions) = (results.fars, results.portions)
        var html = "<p>\(results.pairs) pairs, \(results.positives) genuine. Full results: <a href=\"\(out.stage)/results.csv\">results.csv</a>, <a href=\"\(out.stage)/results.json\">results.json</a>.</p>\n"
        func fmt(_ v: Double??) -> String { (v ?? nil).map { String(format: "%.4f", $0) } ?? "–" }
        if let t = results.tenFold {
            html += "<p>LFW 10-fold accuracy (\(escape(t.score))): \(String(format: "%.4f", t.mean)) ± \(String(format: "%.4f", t.std)) (mean and population std over \(t.foldAccuracy.count) folds).</p>\n"
        }
        if results.kind == .fusion, results.verification?.isEmpty == false || !results.metrics.isEmpty {
            html += FusionComparisonTable(results).html
        }
        if !results.metrics.isEmpty, !portions.isEmpty {
            let last = portions.count - 1
            html += "<h3>Reject verification</h3><table><tr><th>metric</th>"
            for f in fars { html += "<th>TAR@\(shortNumber(f)), none rejected</th><th>TAR@\(shortNumber(f)), \(String(format: "%.0f", portions[last] * 100)) % rejected</th><th>AUC@\(shortNumber(f))</th>" }
            html += "</tr>"
            for (name, m) in results.metrics.sorted(by: { $0.key < $1.key }) {
                html += "<tr><td>\(escape(name))</td>"
                for i in fars.indices {
                    let row = m.tar[safe: i] ?? []
                    html += "<td>\(fmt(row.first))</td><td>\(fmt(row[safe: last]))</td><td>\(fmt(m.auc[safe: i]))</td>"
                }
                html += "</tr>"
            }
            html += "</table>\n"
            html += "<p>\(escape(aucText(portions: portions, farRule: results.farRule)))</p>\n"
        }
        return html
    }
}

/// What the AUC column is, with its grid (docs/metrics.md, "AUC", "Rejected portions").
func aucText(portions: [Double], farRule: String?) -> String {
    let grid = describePortionGrid(portions)
    if farRule == FARRule.cross.rawValue {
        return "AUC: trapezoid rule over \(grid), divided by the largest portion (cross.py's normalised AUC: a flat curve at TAR t has AUC t)."
    }
    return "AUC: trapezoid rule over \(grid), not normalised (at most \(shortNumber(portions.max() ?? 0)), the largest portion)."
}
