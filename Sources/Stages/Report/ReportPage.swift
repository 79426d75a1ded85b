import Core
import Pipeline
import Foundation

/// A static HTML report (`index.html`) over the artifacts of other stages: their parameters,
/// result tables and figures, each with a short explanation. Every file the page shows or
/// links is copied beside it, so the folder reads offline and can be moved as a whole.
public struct ReportPage {
    /// One input stage: its artifact folder and record (`nil` when it has none).
    public struct Section {
        public var stage: String
        public var kind: String
        public var directory: URL
        public var record: ArtifactRecord?
        public init(stage: String, kind: String, directory: URL, record: ArtifactRecord? = nil) {
            self.stage = stage
            self.kind = kind
            self.directory = directory
            self.record = record
        }
    }

    /// The parts of every stage's section, in page order; each shows only where its artifact
    /// content is (docs/pipeline.md, `report`).
    static let parts: [any ReportSection.Type] = [
        ExplanationSection.self, ParametersSection.self, StoreSummarySection.self, SkippedImagesSection.self,
        ScorecardSection.self, ResultsSection.self, FiguresSection.self,
    ]

    public var title: String
    public var sections: [Section]

    public init(title: String, sections: [Section]) {
        self.title = title
        self.sections = sections
    }

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
            let folder = ReportFolder(stage: section.stage, directory: target)
            for part in ReportPage.parts {
                if let shown = try part.init(section) { body += try shown.html(folder) }
            }
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
