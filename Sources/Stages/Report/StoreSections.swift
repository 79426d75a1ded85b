import Foundation

/// The summary of an embedding store (`import`, `embed`, `heads`), as `store summary` prints it.
struct StoreSummarySection: ReportSection {
    var text: String

    init?(_ artifact: ReportPage.Section) throws {
        guard StoreArtifact.kinds.contains(artifact.kind) else { return nil }
        let store = StoreArtifact.path(in: artifact.directory)
        text = try StoreSummary(path: store).text.replacingOccurrences(of: store, with: "\(artifact.stage)/\(StoreArtifact.file)")
    }

    func html(_ out: ReportFolder) -> String { "<pre>\(escape(text))</pre>\n" }
}

/// Images `embed --skip-bad-images` left out of a store, with the reasons (linked, not shown).
struct SkippedImagesSection: ReportSection {
    var list: URL
    var count: Int

    init?(_ artifact: ReportPage.Section) {
        list = artifact.directory.appendingPathComponent(StoreArtifact.skippedFile)
        guard StoreArtifact.kinds.contains(artifact.kind),
              let text = try? String(contentsOf: list, encoding: .utf8), !text.isEmpty else { return nil }
        count = text.split(separator: "\n").count
    }

    func html(_ out: ReportFolder) throws -> String {
        let link = try out.copy(list, as: "skipped.txt")
        let n = count
        return "<p>\(n) unreadable image\(n == 1 ? " was" : "s were") left out of the store: <a href=\"\(link)\">skipped.txt</a> lists them with the reasons.</p>\n"
    }
}
