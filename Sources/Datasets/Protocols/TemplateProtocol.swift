import Core
import Analysis
import Foundation

/// The template protocol layouts (docs/protocols.md): IJB-C's three, IJB-B's InsightFace meta
/// files and IJB-A's 10 splits.
public enum TemplateProtocolFormat: String, CaseIterable, Sendable {
    /// The reference's own split: enroll_templates.csv, verif_templates.csv, cropped_matches.csv.
    case reference
    /// Official IJB-C 1:1: ijbc_1N_gallery_G1.csv, ijbc_1N_gallery_G2.csv, ijbc_1N_probe_mixed.csv,
    /// ijbc_11_G1_G2_matches.csv.
    case ijbc
    /// InsightFace meta files: ijbc_face_tid_mid.txt, ijbc_template_pair_label.txt and, when
    /// present, ijbc_name_5pts_score.txt (detector scores).
    case insightface
    /// InsightFace's IJB-B meta files: ijbb_face_tid_mid.txt, ijbb_template_pair_label.txt and,
    /// when present, ijbb_name_5pts_score.txt.
    case insightfaceIJBB = "insightface-ijbb"
    /// IJB-A's 10 splits, IJB-A_11_sets/split{k}/: evaluated fold by fold (`readIJBAFolds`).
    case ijba

    /// The file-name prefix of an InsightFace meta layout (`ijbc`, `ijbb`), nil for the others.
    public var insightFacePrefix: String? {
        switch self {
        case .insightface: return "ijbc"
        case .insightfaceIJBB: return "ijbb"
        case .reference, .ijbc, .ijba: return nil
        }
    }
}

/// Templates as rows of fused matrices, their member images as store rows, and template pairs.
/// Pairs' `left` is the enrollment (gallery) side, `right` the verification (probe) side.
public struct TemplateProtocol: Sendable {
    public var templateIDs: [Int]
    /// Subject per template row (reference and official layouts; InsightFace's has none):
    /// the SUBJECT_ID when it is an integer, else a number per distinct SUBJECT_ID text.
    public var subjects: [Int64]?
    public var members: TemplateMembers
    public var pairs: PairIndex
    /// Templates none of whose images is stored, dropped with their pairs (as the reference does).
    public var droppedTemplates: Int
    public var droppedPairs: Int
    /// Listed images (counted once per template) missing from the store.
    public var missingImages: Int

    /// The one-line summary printed on stderr.
    public var summary: String {
        "\(templateIDs.count) templates, \(pairs.count) template pairs (\(pairs.positives) genuine); "
            + "dropped \(droppedTemplates) templates without stored images and their \(droppedPairs) pairs; "
            + "\(missingImages) listed images not in the store"
    }
}

/// One listed image of a template before the store is consulted.
private struct Listed {
    var key: String
    var media: Int32
    var detectorScore: Float?
}

private struct TemplateListing {
    var subject: String?
    var images: [Listed] = []
}

/// Reads a protocol folder in `format` and resolves images against the store's paths.
public func readTemplateProtocol(directory: String, format: TemplateProtocolFormat,
                                 index: ImageKeyIndex) throws -> TemplateProtocol {
    func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    var listings: [Int: TemplateListing] = [:]
    var mediaIDs: [String: Int32] = [:]
    func mediaID(_ s: String) -> Int32 {
        if let m = mediaIDs[s] { return m }
        let m = Int32(mediaIDs.count)
        mediaIDs[s] = m
        return m
    }

    switch format {
    case .reference, .ijbc:
        let listFiles = format == .reference
            ? ["enroll_templates.csv", "verif_templates.csv"]
            : ["ijbc_1N_gallery_G1.csv", "ijbc_1N_gallery_G2.csv", "ijbc_1N_probe_mixed.csv"]
        for name in listFiles {
            try readTemplateCSV(file(name), into: &listings, mediaID: mediaID)
        }
    case .ijba:
        throw InputError(file: directory, "IJB-A has 10 folds, each evaluated on its own: read it with readIJBAFolds")
    case .insightface, .insightfaceIJBB:
        let prefix = format.insightFacePrefix!
        let scoresPath = file(prefix + "_name_5pts_score.txt")
        var detector: [String: Float] = [:]
        if FileManager.default.fileExists(atPath: scoresPath) {
            try FieldScanner(path: scoresPath).forEachLine(separator: .whitespace) { line in
                guard line.count == 12 else {
                    throw line.error("expected 'image x1 y1 ... x5 y5 score' (12 fields), found \(line.count)")
                }
                detector[line.string(0)] = Float(try line.double(11, what: "detector score"))
            }
        }
        try FieldScanner(path: file(prefix + "_face_tid_mid.txt")).forEachLine(separator: .whitespace) { line in
            guard line.count >= 3 else {
                throw line.error("expected 'image_name template_id media_id', found \(line.count) fields")
            }
            let key = line.string(0)
            let tid = try line.int(1, what: "template id")
            let mid = try line.int(2, what: "media id")
            listings[tid, default: TemplateListing()].images.append(
                Listed(key: key, media: Int32(truncatingIfNeeded: mid), detectorScore: detector[key]))
        }
    }

    // resolve images, drop templates without any stored image
    var ids = listings.keys.sorted()
    var offsets = [0], members: [Int32] = [], media: [Int32] = [], scores: [Float] = []
    var haveScores = true
    var missing = 0, dropped = 0
    var kept: [Int] = []
    for tid in ids {
        var images = listings[tid]!.images
        images.sort { $0.key < $1.key }
        var last: String?
        var rows = 0
        for im in images where im.key != last {
            last = im.key
            guard let r = index.row(im.key) else { missing += 1; continue }
            members.append(r)
            media.append(im.media)
            if let s = im.detectorScore { scores.append(s) } else { haveScores = false }
            rows += 1
        }
        if rows == 0 { dropped += 1; continue }
        offsets.append(members.count)
        kept.append(tid)
    }
    ids = kept

    // template pairs
    let rowOf = TemplateRowLookup(ids: ids)
    let insightFace = format.insightFacePrefix != nil
    let pairPath = file(format.insightFacePrefix.map { $0 + "_template_pair_label.txt" }
                        ?? (format == .reference ? "cropped_matches.csv" : "ijbc_11_G1_G2_matches.csv"))
    struct PairChunk {
        var left: [Int32] = [], right: [Int32] = [], labels: [Bool] = []
        var dropped = 0
        var atFileStart: Bool
    }
    // the pair list (15.6 million lines for IJB-C) is parsed in parallel chunks
    let chunks = try FieldScanner(path: pairPath).forEachLineInParallel(
        separator: insightFace ? .whitespace : .comma,
        makeState: { PairChunk(atFileStart: $0 == 0) }
    ) { state, line in
        let first = state.atFileStart
        state.atFileStart = false
        let want = insightFace ? 3 : 2
        guard line.count >= want else {
            throw line.error(insightFace ? "expected 't1 t2 label', found \(line.count) fields"
                                         : "expected 't1,t2', found \(line.count) fields")
        }
        if first, !insightFace, (try? line.int(0, what: "")) == nil { return }  // a header
        let t1 = try line.int(0, what: "template id"), t2 = try line.int(1, what: "template id")
        let label: Bool
        if insightFace {
            let l = try line.int(2, what: "label")
            guard l == 0 || l == 1 else { throw line.error("label \(l) is not 0 or 1") }
            label = l == 1
        } else {
            guard let s1 = listings[t1]?.subject else { throw line.error("template \(t1) is not in the template lists") }
            guard let s2 = listings[t2]?.subject else { throw line.error("template \(t2) is not in the template lists") }
            label = s1 == s2
        }
        guard let r1 = rowOf[t1], let r2 = rowOf[t2] else {
            for t in [t1, t2] where listings[t] == nil {
                throw line.error("template \(t) is not in the template lists")
            }
            state.dropped += 1
            return
        }
        state.left.append(r1); state.right.append(r2); state.labels.append(label)
    }
    let left = chunks.flatMap(\.left), right = chunks.flatMap(\.right), labels = chunks.flatMap(\.labels)
    let droppedPairs = chunks.reduce(0) { $0 + $1.dropped }
    guard !labels.isEmpty else { throw InputError(file: pairPath, "no template pair left after dropping templates without stored images") }
    let subjects = insightFace ? nil : subjectNumbers(ids.map { listings[$0]!.subject! })
    return TemplateProtocol(
        templateIDs: ids, subjects: subjects,
        members: try TemplateMembers(offsets: offsets, members: members, media: media,
                                     detectorScores: haveScores && !scores.isEmpty ? scores : nil),
        pairs: try PairIndex(left: left, right: right, labels: labels),
        droppedTemplates: dropped, droppedPairs: droppedPairs, missingImages: missing)
}

/// SUBJECT_ID texts as numbers: the integer when the text is one, else a number per distinct
/// text, far from any integer SUBJECT_ID.
func subjectNumbers(_ texts: [String]) -> [Int64] {
    var numbers: [String: Int64] = [:]
    return texts.map { text in
        if let v = Int64(text) { return v }
        if let v = numbers[text] { return v }
        let v = Int64.min + Int64(numbers.count)
        numbers[text] = v
        return v
    }
}

/// Reads one `TEMPLATE_ID,SUBJECT_ID,FILENAME,...` list (header required). The image key is
/// `SUBJECT_ID/FILENAME` with `/` inside FILENAME replaced by `_` (the reference's crops).
/// A `MEDIA_ID` or `SIGHTING_ID` column, when present, gives the media for `media-mean`.
private func readTemplateCSV(_ path: String, into listings: inout [Int: TemplateListing],
                             mediaID: (String) -> Int32) throws {
    var columns: (t: Int, s: Int, f: Int, m: Int?)?
    try FieldScanner(path: path).forEachLine(separator: .comma) { line in
        guard let c = columns else {
            let names = (0..<line.count).map { line.string($0).uppercased() }
            guard let t = names.firstIndex(of: "TEMPLATE_ID"), let s = names.firstIndex(of: "SUBJECT_ID"),
                  let f = names.firstIndex(of: "FILENAME") else {
                throw line.error("expected a header with TEMPLATE_ID,SUBJECT_ID,FILENAME columns")
            }
            columns = (t, s, f, names.firstIndex(of: "MEDIA_ID") ?? names.firstIndex(of: "SIGHTING_ID"))
            return
        }
        let needed = max(c.t, c.s, c.f, c.m ?? 0) + 1
        guard line.count >= needed else {
            throw line.error("expected at least \(needed) comma-separated fields, found \(line.count)")
        }
        let tid = try line.int(c.t, what: "TEMPLATE_ID")
        let subject = line.string(c.s)
        let filename = line.string(c.f)
        let key = subject + "/" + filename.replacingOccurrences(of: "/", with: "_")
        var listing = listings[tid] ?? TemplateListing()
        if let s = listing.subject, s != subject {
            throw line.error("template \(tid) has SUBJECT_ID \(subject) here but \(s) on an earlier line")
        }
        listing.subject = subject
        let media = c.m.map { mediaID(line.string($0)) } ?? mediaID(key)
        listing.images.append(Listed(key: key, media: media, detectorScore: nil))
        listings[tid] = listing
    }
    if columns == nil { throw InputError(file: path, "empty file (expected a TEMPLATE_ID,SUBJECT_ID,FILENAME header)") }
}

/// Template id -> row: a dense table when ids are small (IJB-C ids are below 200,000), else a
/// dictionary.
private struct TemplateRowLookup {
    private var dense: [Int32] = []
    private var sparse: [Int: Int32] = [:]

    init(ids: [Int]) {
        if let maxID = ids.max(), let minID = ids.min(), minID >= 0, maxID < 50_000_000 {
            dense = [Int32](repeating: -1, count: maxID + 1)
            for (r, id) in ids.enumerated() { dense[id] = Int32(r) }
        } else {
            for (r, id) in ids.enumerated() { sparse[id] = Int32(r) }
        }
    }

    subscript(_ id: Int) -> Int32? {
        if !dense.isEmpty {
            guard id >= 0 && id < dense.count, dense[id] >= 0 else { return nil }
            return dense[id]
        }
        return sparse[id]
    }
}
