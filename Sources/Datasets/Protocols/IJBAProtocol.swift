import Core
import Analysis
import Foundation

/// One of IJB-A's 10 verification splits (docs/protocols.md, "IJB-A's 10 splits"): the test
/// templates of `verify_metadata_k.csv` with the comparisons of `verify_comparisons_k.csv`.
public struct IJBAFold: Sendable {
    /// 1 ... 10.
    public var number: Int
    /// Test templates (with subjects) and the comparisons between them.
    public var templates: TemplateProtocol
    /// Templates of `train_k.csv` (read and checked, never scored, as in the reference).
    public var trainTemplates: Int
}

/// The split files of fold `k` under the IJB-A_11_sets folder.
public func ijbaFoldFiles(_ sets: String, _ k: Int) -> (train: String, metadata: String, comparisons: String) {
    let split = (sets as NSString).appendingPathComponent("split\(k)")
    func file(_ name: String) -> String { (split as NSString).appendingPathComponent(name) }
    return (file("train_\(k).csv"), file("verify_metadata_\(k).csv"), file("verify_comparisons_\(k).csv"))
}

/// Reads IJB-A's splits. `directory` is the protocol folder holding `IJB-A_11_sets` (as the
/// reference's `--protocol_path`), or that folder itself.
public func readIJBAFolds(directory: String, index: ImageKeyIndex, folds: Int = 10) throws -> [IJBAFold] {
    let nested = (directory as NSString).appendingPathComponent("IJB-A_11_sets")
    var isDir: ObjCBool = false
    let sets = FileManager.default.fileExists(atPath: nested, isDirectory: &isDir) && isDir.boolValue ? nested : directory
    return try (1...folds).map { k in
        let files = ijbaFoldFiles(sets, k)
        let train = try readIJBATemplates(files.train, index: index)
        let test = try readIJBATemplates(files.metadata, index: index)
        return IJBAFold(number: k, templates: try ijbaProtocol(test, comparisons: files.comparisons),
                        trainTemplates: train.runs.count)
    }
}

/// One consecutive run of equal TEMPLATE_ID rows of a metadata file.
struct IJBATemplateRun {
    var id: Int
    /// SUBJECT_ID of the run's first row (the reference's label).
    var subject: String
    /// Store rows of the run's images in file order, repeats kept; listed images not in the
    /// store are left out.
    var rows: [Int32] = []
    var media: [Int32] = []
}

struct IJBATemplates {
    var runs: [IJBATemplateRun]
    /// TEMPLATE_ID -> index of its last run (a later run of the same id replaces an earlier one).
    var byID: [Int: Int]
    var missingImages: Int
}

/// `TEMPLATE_ID,SUBJECT_ID,FILE,MEDIA_ID,...` with a header line: the first four fields of every
/// row are used. The image key is `SUBJECT_ID/FILE` with `/` in FILE replaced by `_`; the
/// extension may differ from the stored one (`ImageKeyIndex`).
func readIJBATemplates(_ path: String, index: ImageKeyIndex) throws -> IJBATemplates {
    var runs: [IJBATemplateRun] = []
    var byID: [Int: Int] = [:]
    var mediaIDs: [String: Int32] = [:]
    var missing = 0
    var header = true
    try FieldScanner(path: path).forEachLine(separator: .comma) { line in
        if header {
            header = false
            guard (try? line.int(0, what: "")) == nil else {
                throw line.error("expected a header line (TEMPLATE_ID,SUBJECT_ID,FILE,MEDIA_ID,...), found a data row")
            }
            return
        }
        guard line.count >= 4 else {
            throw line.error("expected 'TEMPLATE_ID,SUBJECT_ID,FILE,MEDIA_ID,...' (at least 4 fields), found \(line.count)")
        }
        let tid = try line.int(0, what: "TEMPLATE_ID")
        let subject = line.string(1), file = line.string(2), mediaText = line.string(3)
        if runs.last?.id != tid {
            runs.append(IJBATemplateRun(id: tid, subject: subject))
            byID[tid] = runs.count - 1
        }
        guard let row = index.row(subject + "/" + file.replacingOccurrences(of: "/", with: "_")) else {
            missing += 1
            return
        }
        let media: Int32
        if let m = mediaIDs[mediaText] { media = m } else { media = Int32(mediaIDs.count); mediaIDs[mediaText] = media }
        runs[runs.count - 1].rows.append(row)
        runs[runs.count - 1].media.append(media)
    }
    if header { throw InputError(file: path, "empty file (expected a TEMPLATE_ID,SUBJECT_ID,FILE,MEDIA_ID header)") }
    return IJBATemplates(runs: runs, byID: byID, missingImages: missing)
}

/// The fold's templates as a `TemplateProtocol`: every template named by a comparison, in
/// order of first use; a comparison with a template none of whose images is stored is dropped.
func ijbaProtocol(_ test: IJBATemplates, comparisons: String) throws -> TemplateProtocol {
    var rowOfRun: [Int: Int32] = [:]
    var used: [IJBATemplateRun] = []
    var left: [Int32] = [], right: [Int32] = [], labels: [Bool] = []
    var droppedPairs = 0
    var emptyRuns = Set<Int>()
    try FieldScanner(path: comparisons).forEachLine(separator: .comma) { line in
        guard line.count == 2 else { throw line.error("expected 't1,t2' (2 fields), found \(line.count)") }
        var sides: [Int32] = []
        var subjects: [String] = []
        for i in 0..<2 {
            let tid = try line.int(i, what: "template id")
            guard let r = test.byID[tid] else {
                throw line.error("template \(tid) is not in the fold's verify_metadata file")
            }
            let run = test.runs[r]
            subjects.append(run.subject)
            if run.rows.isEmpty { emptyRuns.insert(r); continue }
            if let row = rowOfRun[r] { sides.append(row); continue }
            rowOfRun[r] = Int32(used.count)
            sides.append(Int32(used.count))
            used.append(run)
        }
        guard sides.count == 2 else { droppedPairs += 1; return }
        left.append(sides[0]); right.append(sides[1]); labels.append(subjects[0] == subjects[1])
    }
    guard !labels.isEmpty else {
        throw InputError(file: comparisons, "no comparison left after dropping templates without stored images")
    }
    var offsets = [0], members: [Int32] = [], media: [Int32] = []
    for run in used {
        members += run.rows
        media += run.media
        offsets.append(members.count)
    }
    return TemplateProtocol(
        templateIDs: used.map(\.id), subjects: subjectNumbers(used.map(\.subject)),
        members: try TemplateMembers(offsets: offsets, members: members, media: media),
        pairs: try PairIndex(left: left, right: right, labels: labels),
        droppedTemplates: emptyRuns.count, droppedPairs: droppedPairs, missingImages: test.missingImages)
}
