import Core
import Pipeline
import Figures
import Foundation
import Store

/// A static HTML report (`index.html`) over the artifacts of other stages: their parameters,
/// result tables and figures, each with a short explanation. Every file the page shows or
/// links is copied beside it, so the folder reads offline and can be moved as a whole.
public struct ReportPage {
    public struct Section {
        public var stage: String
        public var kind: String
        public var directory: URL
        public init(stage: String, kind: String, directory: URL) {
            self.stage = stage
            self.kind = kind
            self.directory = directory
        }
    }

    public var title: String
    public var sections: [Section]

    public init(title: String, sections: [Section]) {
        self.title = title
        self.sections = sections
    }

    static let explanations: [String: String] = [
        "reject": "Reject verification: pairs are ordered by their pair uncertainty and the most uncertain portion is dropped; TAR at a fixed FAR is recomputed on the pairs kept, with thresholds re-derived from the kept impostor pairs. A useful uncertainty makes the curves rise; AUC summarises each curve over the rejected portions.",
        "fusion": "Template verification on an IJB-C style protocol: image embeddings are fused into template embeddings (and uncertainties) by each method, template pairs are scored, and TAR is read at each FAR. With reject metrics, template pairs are also rejected by uncertainty as in reject verification.",
        "distribution": "The distribution of each per-image uncertainty strategy over the dataset, and, where images are available, random faces from the most and least certain tenths.",
        "scorecard": "The headline figures: TAR at one FAR with nothing rejected, how much each strategy's reject curve gains over rejecting pairs in random order (AUC ratio), and how each per-image strategy ranks pictures against their recorded degradation (Spearman's rank correlation; negative for a confidence that falls as pictures degrade, positive for an uncertainty that rises). Each check is stated against its target.",
        "train-head": "A head or layer trained on stored bottleneck features of the train split, with the backbone frozen; the loss curve shows the mean loss per epoch.",
        "import": "The embedding store the analysis reads.",
        "embed": "The embedding store the analysis reads, made by the backbone from the images.",
    ]

    /// Writes `index.html` and the files it refers to into `directory`.
    public func write(to directory: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        var body = "<h1>\(escape(title))</h1>\n<p class=\"meta\">Made by scaleface \(scalefaceVersion) on \(ISO8601DateFormatter().string(from: Date())).</p>\n"
        body += "<nav><ul>" + sections.map { "<li><a href=\"#\(anchor($0.stage))\">\(escape($0.stage))</a> (\(escape($0.kind)))</li>" }.joined() + "</ul></nav>\n"
        for section in sections {
            let target = directory.appendingPathComponent(section.stage)
            try? fm.removeItem(at: target)
            try fm.createDirectory(at: target, withIntermediateDirectories: true)
            body += "<section id=\"\(anchor(section.stage))\">\n<h2>\(escape(section.stage)) <span class=\"kind\">\(escape(section.kind))</span></h2>\n"
            if let text = ReportPage.explanations[section.kind] { body += "<p>\(escape(text))</p>\n" }
            body += try parametersTable(section)
            body += try storeSummary(section, copyingTo: target)
            body += try scorecardSummary(section, copyingTo: target)
            body += try resultsSummary(section, copyingTo: target)
            body += try figures(section, copyingTo: target)
            body += "</section>\n"
        }
        let html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
        h1 { font-size: 1.8em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
        .kind { font-size: .6em; color: #666; font-weight: normal; } .meta { color: #666; }
        table { border-collapse: collapse; margin: 1em 0; font-size: .9em; }
        th, td { border: 1px solid #ddd; padding: .3em .6em; text-align: right; } th { background: #f4f4f4; }
        td:first-child, th:first-child { text-align: left; }
        figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
        figcaption { color: #444; font-size: .95em; } pre { background: #f8f8f8; padding: .8em; overflow-x: auto; }
        </style></head><body>
        \(body)</body></html>

        """
        try writeData(Data(html.utf8), to: directory.appendingPathComponent("index.html").path)
    }

    private func parametersTable(_ s: Section) throws -> String {
        guard let record = ArtifactRecord.load(s.directory.appendingPathComponent(ArtifactRecord.fileName)),
              !record.parameters.isEmpty else { return "" }
        var rows = record.parameters.keys.sorted().map { "<tr><td>\(escape($0))</td><td>\(escape(record.parameters[$0]!))</td></tr>" }
        for (role, upstream) in record.inputs.sorted(by: { $0.key < $1.key }) {
            rows.append("<tr><td>input <i>\(escape(role))</i></td><td>stage \(escape(upstream))</td></tr>")
        }
        return "<details><summary>Parameters (cache key \(escape(record.key)))</summary><table><tr><th>parameter</th><th>value</th></tr>\(rows.joined())</table></details>\n"
    }

    private func storeSummary(_ s: Section, copyingTo target: URL) throws -> String {
        let store = s.directory.appendingPathComponent("store.h5").path
        guard FileManager.default.fileExists(atPath: store) else { return "" }
        let summary = try StoreSummary(path: store)
        let text = summary.text.replacingOccurrences(of: store, with: "\(s.stage)/store.h5")
        var html = "<pre>\(escape(text))</pre>\n"
        // Images `embed --skip-bad-images` left out, with the reasons.
        let skipped = s.directory.appendingPathComponent("store.h5.skipped.txt")
        if let list = try? String(contentsOf: skipped, encoding: .utf8), !list.isEmpty {
            try copy(skipped, to: target.appendingPathComponent("skipped.txt"))
            let n = list.split(separator: "\n").count
            html += "<p>\(n) unreadable image\(n == 1 ? " was" : "s were") left out of the store: <a href=\"\(s.stage)/skipped.txt\">skipped.txt</a> lists them with the reasons.</p>\n"
        }
        return html
    }

    /// The checks with pass/fail, every curve's TAR and AUC ratio, and the correlations.
    private func scorecardSummary(_ s: Section, copyingTo target: URL) throws -> String {
        let json = s.directory.appendingPathComponent("scorecard.json")
        guard let data = try? Data(contentsOf: json) else { return "" }
        let card: Scorecard
        do { card = try JSONDecoder().decode(Scorecard.self, from: data) } catch {
            throw InputError(file: json.path, "is not a scorecard (\(error))")
        }
        for name in ["scorecard.json", "scorecard.csv"] {
            try copy(s.directory.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
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
        return html + "<p>Machine-readable: <a href=\"\(s.stage)/scorecard.json\">scorecard.json</a>, <a href=\"\(s.stage)/scorecard.csv\">scorecard.csv</a>.</p>\n"
    }

    /// A table per results.json: each metric's TAR with nothing rejected, TAR at the largest
    /// rejected portion, and the AUC, per FAR; plus template verification for fusion.
    private func resultsSummary(_ s: Section, copyingTo target: URL) throws -> String {
        let json = s.directory.appendingPathComponent("results.json")
        guard let data = try? Data(contentsOf: json),
              let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return "" }
        var html = ""
        for name in ["results.json", "results.csv"] where FileManager.default.fileExists(atPath: s.directory.appendingPathComponent(name).path) {
            try copy(s.directory.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
        let fars = (root["fars"] as? [Double]) ?? []
        let portions = (root["portions"] as? [Double]) ?? []
        if let pairs = root["pairs"], let positives = root["positives"] {
            html += "<p>\(pairs) pairs, \(positives) genuine. Full results: <a href=\"\(s.stage)/results.csv\">results.csv</a>, <a href=\"\(s.stage)/results.json\">results.json</a>.</p>\n"
        }
        func fmt(_ v: Any?) -> String {
            guard let d = v as? Double else { return "–" }
            return String(format: "%.4f", d)
        }
        if let verification = root["verification"] as? [String: Any], !verification.isEmpty {
            html += "<h3>Template verification</h3><table><tr><th>fusion, distance</th>" + fars.map { "<th>TAR@FAR=\(shortNumber($0))</th>" }.joined() + "</tr>"
            for name in verification.keys.sorted() {
                let tar = ((verification[name] as? [String: Any])?["tar"] as? [Any]) ?? []
                html += "<tr><td>\(escape(name))</td>" + tar.map { "<td>\(fmt($0))</td>" }.joined() + "</tr>"
            }
            html += "</table>\n"
        }
        if let metrics = root["metrics"] as? [String: Any], !metrics.isEmpty, !portions.isEmpty {
            let last = portions.count - 1
            html += "<h3>Reject verification</h3><table><tr><th>metric</th>"
            for f in fars { html += "<th>TAR@\(shortNumber(f)), none rejected</th><th>TAR@\(shortNumber(f)), \(String(format: "%.0f", portions[last] * 100)) % rejected</th><th>AUC@\(shortNumber(f))</th>" }
            html += "</tr>"
            for name in metrics.keys.sorted() {
                guard let m = metrics[name] as? [String: Any] else { continue }
                let tar = (m["tar"] as? [[Any]]) ?? []
                let auc = (m["auc"] as? [Any]) ?? []
                html += "<tr><td>\(escape(name))</td>"
                for i in fars.indices {
                    let row = i < tar.count ? tar[i] : []
                    html += "<td>\(fmt(row.first))</td><td>\(fmt(row.count > last ? row[last] : nil))</td><td>\(fmt(i < auc.count ? auc[i] : nil))</td>"
                }
                html += "</tr>"
            }
            html += "</table>\n"
        }
        return html
    }

    private func figures(_ s: Section, copyingTo target: URL) throws -> String {
        let entries = FigureEntry.readManifest(in: s.directory.path) ?? {
            let pngs = ((try? FileManager.default.contentsOfDirectory(atPath: s.directory.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
            return pngs.map { FigureEntry(file: $0, title: ($0 as NSString).deletingPathExtension.replacingOccurrences(of: "_", with: " "), caption: "") }
        }()
        var html = ""
        for e in entries {
            let source = s.directory.appendingPathComponent(e.file)
            guard FileManager.default.fileExists(atPath: source.path) else {
                throw InputError(file: source.path, "stage '\(s.stage)' lists figure \(e.file) in figures.json, but the file is missing")
            }
            try copy(source, to: target.appendingPathComponent(e.file))
            html += "<figure><img src=\"\(s.stage)/\(e.file)\" alt=\"\(escape(e.title))\"><figcaption><b>\(escape(e.title)).</b> \(codeSpans(escape(e.caption)))</figcaption></figure>\n"
        }
        return html
    }

    private func copy(_ from: URL, to: URL) throws {
        try? FileManager.default.removeItem(at: to)
        try? FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            try FileManager.default.copyItem(at: from, to: to)
        } catch {
            throw InputError(file: from.path, "cannot copy into the report (\(error.localizedDescription))")
        }
    }

    private func anchor(_ s: String) -> String { "stage-" + s.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined() }
}

/// A number as `%g` prints it (0.01, 1e-06): FARs and targets in names and tables.
func shortNumber(_ v: Double) -> String { String(format: "%g", v) }

/// Escapes text for HTML element content and attribute values.
func escape(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(c)
        }
    }
    return out
}

/// Turns `name` spans of already-escaped text into <code> elements.
func codeSpans(_ s: String) -> String {
    let parts = s.split(separator: "`", omittingEmptySubsequences: false)
    guard parts.count >= 3 else { return s }
    return parts.enumerated().map { i, p in i % 2 == 1 && i < parts.count - 1 ? "<code>\(p)</code>" : String(p) }.joined()
}
