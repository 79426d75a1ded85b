import Core
import Foundation

/// The checks of a `scorecard` stage with pass/fail, every curve's TAR and AUC ratio, and the
/// correlations; scorecard.json and scorecard.csv linked.
struct ScorecardSection: ReportSection {
    static let files = ["scorecard.json", "scorecard.csv"]
    var directory: URL
    var card: Scorecard

    init?(_ artifact: ReportPage.Section) throws {
        guard artifact.kind == ScorecardKind.kind else { return nil }
        directory = artifact.directory
        let json = directory.appendingPathComponent(Self.files[0])
        guard let data = try? Data(contentsOf: json) else { return nil }
        do { card = try JSONDecoder().decode(Scorecard.self, from: data) } catch {
            throw InputError(file: json.path, "is not a scorecard (\(error))")
        }
    }

    func html(_ out: ReportFolder) throws -> String {
        let links = try Self.files.map { try out.copy(directory.appendingPathComponent($0), as: $0) }
        func fmt(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "–" }
        let f = shortNumber(card.far)
        var html = "<h3>Checks</h3><table><tr><th>check</th><th>value</th><th>target</th><th>result</th></tr>"
        for c in card.checks {
            html += "<tr><td>\(escape(c.name))</td><td>\(fmt(c.value))</td><td>\(escape(c.target))</td><td>\(c.pass ? "pass" : "<b>FAIL</b>")</td></tr>"
        }
        html += "</table>\n<h3>Reject curves at FAR \(f)</h3>"
        html += "<table><tr><th>stage</th><th>strategy</th><th>metric</th><th>TAR@\(f), none rejected</th><th>TAR@\(f), most rejected</th><th>AUC@\(f)</th><th>AUC / \(escape(card.baseline))</th></tr>"
        for c in card.curves {
            html += "<tr><td>\(escape(c.stage))</td><td>\(escape(c.strategy))</td><td><code>\(escape(c.metric))</code></td><td>\(fmt(c.tarNoneRejected))</td><td>\(fmt(c.tar.last ?? nil))</td><td>\(fmt(c.auc))</td><td>\(fmt(c.aucRatio))</td></tr>"
        }
        html += "</table>\n"
        if !card.correlations.isEmpty {
            html += "<h3>Rank correlation with <code>\(escape(card.covariate))</code></h3><table><tr><th>strategy</th><th>mode</th><th>images</th><th>Spearman</th></tr>"
            for c in card.correlations {
                html += "<tr><td>\(escape(c.strategy))</td><td>\(escape(c.mode))</td><td>\(c.images)</td><td>\(fmt(c.spearman))</td></tr>"
            }
            html += "</table>\n"
        }
        return html + "<p>Machine-readable: <a href=\"\(links[0])\">scorecard.json</a>, <a href=\"\(links[1])\">scorecard.csv</a>.</p>\n"
    }
}
