import Foundation
import Pipeline

/// What the stage's kind does, in a sentence or two.
struct ExplanationSection: ReportSection {
    static let explanations: [String: String] = [
        "reject": "Reject verification: pairs are ordered by their pair uncertainty and the most uncertain portion is dropped; TAR at a fixed FAR is recomputed on the pairs kept, with thresholds re-derived from the kept impostor pairs. A useful uncertainty makes the curves rise; AUC summarises each curve over the rejected portions.",
        "fusion": "Template verification on an IJB-C style protocol: image embeddings are fused into template embeddings (and uncertainties) by each method, template pairs are scored, and TAR is read at each FAR. With reject metrics, template pairs are also rejected by uncertainty as in reject verification.",
        "distribution": "The distribution of each per-image uncertainty strategy over the dataset, and, where images are available, random faces from the most and least certain tenths.",
        "scorecard": "The headline figures: TAR at one FAR with nothing rejected, how much each strategy's reject curve gains over rejecting pairs in random order (AUC ratio), and how each per-image strategy ranks pictures against their recorded degradation (Spearman's rank correlation; negative for a confidence that falls as pictures degrade, positive for an uncertainty that rises). Each check is stated against its target.",
        "train-head": "A head or layer trained on stored bottleneck features of the train split, with the backbone frozen; the loss curve shows the mean loss per epoch.",
        "import": "The embedding store the analysis reads.",
        "embed": "The embedding store the analysis reads, made by the backbone from the images.",
    ]

    var text: String

    init?(_ artifact: ReportPage.Section) {
        guard let text = Self.explanations[artifact.kind] else { return nil }
        self.text = text
    }

    func html(_ out: ReportFolder) -> String { "<p>\(escape(text))</p>\n" }
}

/// The stage's parameters and inputs (from its artifact record), folded away.
struct ParametersSection: ReportSection {
    var record: ArtifactRecord

    init?(_ artifact: ReportPage.Section) {
        guard let record = artifact.record, !record.parameters.isEmpty else { return nil }
        self.record = record
    }

    func html(_ out: ReportFolder) -> String {
        var rows = record.parameters.sorted { $0.key < $1.key }.map { "<tr><td>\(escape($0.key))</td><td>\(escape($0.value))</td></tr>" }
        for (role, upstream) in record.inputs.sorted(by: { $0.key < $1.key }) {
            rows.append("<tr><td>input <i>\(escape(role))</i></td><td>stage \(escape(upstream))</td></tr>")
        }
        return "<details><summary>Parameters (cache key \(escape(record.key)))</summary><table><tr><th>parameter</th><th>value</th></tr>\(rows.joined())</table></details>\n"
    }
}
