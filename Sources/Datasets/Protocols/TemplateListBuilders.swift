import Core
import Foundation

/// `cleaned_templates.csv` (docs/protocols.md, "Building the IJB-C lists"): the rows of
/// `enroll_templates.csv` then `verif_templates.csv` whose image `SUBJECT_ID/FILENAME` (with
/// `/` in FILENAME replaced by `_`) exists, each prefixed with its row number within its own
/// file (the pandas index of the reference's `to_csv`), under the header `,<header>`.
public struct CleanedTemplates: Sendable {
    public var text: String
    public var rows: Int
    public var kept: Int
}

public func cleanTemplates(enroll: String, verif: String,
                           imageExists: (String) -> Bool) throws -> CleanedTemplates {
    var header: [String]?
    var out = "", rows = 0, kept = 0
    for path in [enroll, verif] {
        var columns: (s: Int, f: Int)?
        var index = 0
        try FieldScanner(path: path).forEachLine(separator: .comma) { line in
            let fields = (0..<line.count).map(line.string)
            guard let c = columns else {
                guard let s = fields.firstIndex(of: "SUBJECT_ID"), let f = fields.firstIndex(of: "FILENAME") else {
                    throw line.error("expected a header with SUBJECT_ID and FILENAME columns")
                }
                if let h = header, h != fields {
                    throw line.error("the header differs from the first file's (\(h.joined(separator: ",")))")
                }
                if header == nil { out += "," + fields.joined(separator: ",") + "\n" }
                header = fields
                columns = (s, f)
                return
            }
            guard fields.count == header!.count else {
                throw line.error("expected \(header!.count) comma-separated fields as in the header, found \(fields.count)")
            }
            defer { index += 1 }
            rows += 1
            guard imageExists(fields[c.s] + "/" + fields[c.f].replacingOccurrences(of: "/", with: "_")) else { return }
            kept += 1
            out += "\(index)," + fields.joined(separator: ",") + "\n"
        }
        if columns == nil { throw InputError(file: path, "empty file (expected a header with SUBJECT_ID and FILENAME)") }
    }
    return CleanedTemplates(text: out, rows: rows, kept: kept)
}

/// The first `genuine` genuine and `impostor` impostor rows of IJB-C's `match.csv`, in file order
/// and with all its columns, skipping rows with a template absent from `cleaned_templates.csv`;
/// a template's subject is the least SUBJECT_ID of its rows (docs/protocols.md).
public struct MatchList: Sendable {
    public var text: String
    public var genuine: Int
    public var impostor: Int
    /// Rows looked at (up to the one that filled both quotas) and rows skipped among them.
    public var read: Int
    public var skipped: Int
}

/// The two lists the reference built: `cropped` (19,000 / 1,000,000, read by its template
/// protocol) and `short` (5,000 / 100,000, its last constants).
public enum MatchListPreset: String, CaseIterable, Sendable {
    case cropped, short

    public var counts: (genuine: Int, impostor: Int) {
        switch self {
        case .cropped: return (19_000, 1_000_000)
        case .short: return (5_000, 100_000)
        }
    }

    public var fileName: String { rawValue + "_matches.csv" }
}

public func buildMatchList(cleaned: String, matches: String, genuine: Int, impostor: Int) throws -> MatchList {
    guard genuine >= 0, impostor >= 0 else {
        throw InputError(file: matches, "the genuine and impostor counts must not be negative")
    }
    // template -> subject (numeric minimum when every SUBJECT_ID is an integer, as pandas reads them)
    var texts: [Int: [String]] = [:]
    try forEachRow(cleaned, wanted: ["TEMPLATE_ID", "SUBJECT_ID"]) { line, c in
        texts[try line.int(c[0], what: "TEMPLATE_ID"), default: []].append(line.string(c[1]))
    }
    let numeric = texts.values.allSatisfy { $0.allSatisfy { Int($0) != nil } }
    let subjectOf: [Int: String] = texts.mapValues { s in
        numeric ? String(s.map { Int($0)! }.min()!) : s.min()!
    }

    struct Full: Error {}
    var out = "", kept = (g: 0, i: 0), read = 0, skipped = 0
    do {
        try forEachRow(matches, wanted: ["ENROLL_TEMPLATE_ID", "VERIF_TEMPLATE_ID"]) { line, c in
            read += 1
            let enroll = try line.int(c[0], what: "ENROLL_TEMPLATE_ID")
            let verif = try line.int(c[1], what: "VERIF_TEMPLATE_ID")
            guard let s1 = subjectOf[enroll], let s2 = subjectOf[verif] else {
                skipped += 1
                return
            }
            let row = (0..<line.count).map(line.string).joined(separator: ",") + "\n"
            if s1 == s2 {
                if kept.g < genuine { kept.g += 1; out += row }
            } else if kept.i < impostor {
                kept.i += 1
                out += row
            }
            if kept.g == genuine && kept.i == impostor { throw Full() }
        }
    } catch is Full {}
    return MatchList(text: out, genuine: kept.g, impostor: kept.i, read: read, skipped: skipped)
}

/// Calls `body` for every row after the header line with the indices of the `wanted` columns;
/// a header without them, a row too short for them and an empty file are errors.
private func forEachRow(_ path: String, wanted: [String],
                        _ body: (FieldScanner.Line, [Int]) throws -> Void) throws {
    let expected = "expected a header with \(wanted.joined(separator: " and ")) columns"
    var columns: [Int]?
    try FieldScanner(path: path).forEachLine(separator: .comma) { line in
        guard let c = columns else {
            let names = (0..<line.count).map(line.string)
            columns = try wanted.map { w in
                guard let i = names.firstIndex(of: w) else { throw line.error(expected) }
                return i
            }
            return
        }
        let needed = c.max()! + 1
        guard line.count >= needed else {
            throw line.error("expected at least \(needed) comma-separated fields, found \(line.count)")
        }
        try body(line, c)
    }
    guard columns != nil else { throw InputError(file: path, "empty file (\(expected))") }
}
