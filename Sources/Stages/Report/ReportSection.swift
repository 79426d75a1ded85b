import Core
import Foundation
import Pipeline

/// One part of a stage's section of the report, made from what the stage's artifact holds
/// (docs/pipeline.md, `report`). `ReportPage` tries every part on every input in
/// `ReportPage.parts` order and shows those that apply.
protocol ReportSection {
    /// `nil` when the artifact holds nothing for this part; throws when it should and its
    /// file cannot be read.
    init?(_ artifact: ReportPage.Section) throws
    /// The part's HTML; every file it shows or links is copied into the page's folder first.
    func html(_ out: ReportFolder) throws -> String
}

/// A stage's folder beside `index.html`, where its shown and linked files are copied.
struct ReportFolder {
    var stage: String
    var directory: URL

    /// Copies `source` to `name` in the folder and returns the link to it from the page.
    @discardableResult
    func copy(_ source: URL, as name: String) throws -> String {
        let to = directory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: to)
        try? FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            try FileManager.default.copyItem(at: source, to: to)
        } catch {
            throw InputError(file: source.path, "cannot copy into the report (\(error.localizedDescription))")
        }
        return "\(stage)/\(name)"
    }
}
