import Core
import Figures
import Foundation

/// The figures a stage lists in figures.json (or, without one, every PNG of its folder), each
/// with its caption.
struct FiguresSection: ReportSection {
    var stage: String
    var directory: URL
    var entries: [FigureEntry]

    init?(_ artifact: ReportPage.Section) {
        stage = artifact.stage
        directory = artifact.directory
        entries = FigureEntry.readManifest(in: directory.path) ?? {
            let pngs = ((try? FileManager.default.contentsOfDirectory(atPath: artifact.directory.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
            return pngs.map { FigureEntry(file: $0, title: ($0 as NSString).deletingPathExtension.replacingOccurrences(of: "_", with: " "), caption: "") }
        }()
        if entries.isEmpty { return nil }
    }

    func html(_ out: ReportFolder) throws -> String {
        var html = ""
        for e in entries {
            let source = directory.appendingPathComponent(e.file)
            guard FileManager.default.fileExists(atPath: source.path) else {
                throw InputError(file: source.path, "stage '\(stage)' lists figure \(e.file) in \(FiguresArtifact.manifest), but the file is missing")
            }
            let link = try out.copy(source, as: e.file)
            html += "<figure><img src=\"\(link)\" alt=\"\(escape(e.title))\"><figcaption><b>\(escape(e.title)).</b> \(codeSpans(escape(e.caption)))</figcaption></figure>\n"
        }
        return html
    }
}
