import ArgumentParser
import Foundation
import Pipeline

/// The options of `kind: report`.
public struct ReportOptions: ParsableArguments, Sendable {
    @Option(help: "The page title.")
    public var title = "scaleface report"

    public init() {}
}

/// `kind: report`: a static `index.html` over the artifacts of any other stages, given as
/// inputs under any role names (their order in the file is the page's order).
public enum ReportKind: StageKind {
    public typealias Options = ReportOptions
    public static let kind = "report"
    /// 3: the train-head stages it lists have more parameters (loss, head, classifier, ...).
    /// 4: the stages it lists have more parameters (pair classifier, validation protocol, tie order, ...).
    /// 5: LFW's 10-fold accuracy of a reject stage's results (docs/metrics.md).
    /// 6: a fusion stage's results show the fusion comparison table (best per column marked).
    public static let version = 6
    public static let summary = "Static HTML report linking every figure and table of its inputs."
    public static let inputs: [InputSpec] = [InputSpec("*", accepts: ["*"], optional: true)]

    public static func run(_ options: ReportOptions, in context: StageContext) throws {
        let sections = try context.inputOrder.map { role -> ReportPage.Section in
            let dir = try context.input(role)
            let record = ArtifactRecord.load(dir.appendingPathComponent(ArtifactRecord.fileName))
            return ReportPage.Section(stage: record?.stage ?? role, kind: record?.kind ?? "?", directory: dir, record: record)
        }
        try ReportPage(title: options.title, sections: sections).write(to: context.output)
    }
}
