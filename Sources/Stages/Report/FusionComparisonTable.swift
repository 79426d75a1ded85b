import Foundation

/// The comparison table of a `fusion` stage's results.json in the report (docs/metrics.md,
/// "Template fusion"): one row per fusion metric, the verification metrics (`fusion_distance`)
/// first, then the reject metrics (`fusion_distance_uncertainty`), each group by name. Columns:
/// TAR at each FAR with nothing rejected (a verification metric's operating point; a reject
/// metric's curve at portion 0, when the grid starts at 0), then, when there are reject metrics,
/// the AUC at each FAR. The best (largest) defined value of each column is marked; ties are all
/// marked.
struct FusionComparisonTable {
    struct Row: Equatable {
        var name: String
        var tar: [Double?]
        var auc: [Double?]
    }

    var fars: [Double]
    var rows: [Row]
    var hasAUC: Bool

    init(_ results: ResultsFile) {
        fars = results.fars
        let verification = (results.verification ?? [:]).sorted { $0.key < $1.key }.map { name, v in
            Row(name: name, tar: results.fars.indices.map { v.tar[safe: $0] ?? nil }, auc: [])
        }
        let startsAtZero = results.portions.first == 0
        let reject = results.metrics.sorted { $0.key < $1.key }.map { name, m in
            Row(name: name, tar: results.fars.indices.map { startsAtZero ? (m.tar[safe: $0]?.first ?? nil) : nil },
                auc: results.fars.indices.map { m.auc[safe: $0] ?? nil })
        }
        let withAUC = !reject.isEmpty
        hasAUC = withAUC
        rows = (verification + reject).map { r in
            var r = r
            if withAUC && r.auc.isEmpty { r.auc = results.fars.map { _ in nil } }
            return r
        }
    }

    /// Every column's values, TAR columns then AUC columns.
    var columns: [[Double?]] {
        fars.indices.map { f in rows.map { $0.tar[f] } } + (hasAUC ? fars.indices.map { f in rows.map { $0.auc[f] } } : [])
    }

    /// The best value of each column (nil when it has none), compared as printed (4 decimals).
    var best: [Double?] {
        columns.map { column in column.compactMap { $0 }.map(Self.rounded).max() }
    }

    static func rounded(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }

    var html: String {
        let best = best
        var html = "<h3>Fusion comparison</h3><table class=\"fusion-comparison\"><tr><th>fusion metric</th>"
        html += fars.map { "<th>TAR@FAR=\(shortNumber($0))</th>" }.joined()
        if hasAUC { html += fars.map { "<th>AUC@FAR=\(shortNumber($0))</th>" }.joined() }
        html += "</tr>"
        for r in rows {
            html += "<tr><td>\(escape(r.name))</td>"
            for (c, v) in (r.tar + r.auc).enumerated() {
                guard let v else { html += "<td>–</td>"; continue }
                let text = String(format: "%.4f", v)
                html += Self.rounded(v) == best[c] ? "<td class=\"best\"><b>\(text)</b></td>" : "<td>\(text)</td>"
            }
            html += "</tr>"
        }
        html += "</table>\n<p>TAR with nothing rejected (for a reject metric, its curve at portion 0); AUC of the reject curve at each FAR. The best value of each column is in bold.</p>\n"
        return html
    }
}
