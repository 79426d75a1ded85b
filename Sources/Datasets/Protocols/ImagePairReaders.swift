import Core
import Analysis
import Foundation

/// Image pair lists (docs/protocols.md) as rows of a store.
public enum ImagePairFormat: String, CaseIterable, Sendable {
    /// `left_path,right_path,label` per line, label 0 or 1; a first line `left,right,label` is a header.
    case csv
    /// LFW `pairs.txt`: a header line of counts, then `name n1 n2` (same person) or
    /// `name1 n1 name2 n2` (different people), images `name/name_%04d.jpg`.
    case lfw
    /// CPLFW / CALFW `pairs_<NAME>.txt` (`<photo> <label>` lines, two per pair), the test split
    /// of the reference (docs/protocols.md, "CPLFW and CALFW"); `cross-val` its val split,
    /// `cross-all` every pair.
    case cross
    case crossVal = "cross-val"
    case crossAll = "cross-all"

    /// The format validation pairs of the same protocol are read with: a `cross` file's val split.
    public var validationFormat: ImagePairFormat { self == .cross ? .crossVal : self }
}

/// Reads an image pair list and maps every image to its store row. An image that is not in
/// the store is an error naming the file and line, unless it is one of `excluded` (images the
/// embedding left out as unreadable): pairs using those are dropped, and counted in `dropped`.
public func readImagePairs(_ path: String, format: ImagePairFormat, index: ImageKeyIndex,
                           excluded: Set<String> = [], dropped: UnsafeMutablePointer<Int>? = nil) throws -> PairIndex {
    var left: [Int32] = [], right: [Int32] = [], labels: [Bool] = []
    let scanner = try FieldScanner(path: path)
    /// -1 for an excluded image.
    func row(_ key: String, _ line: FieldScanner.Line) throws -> Int32 {
        if let r = index.row(key) { return r }
        if excluded.contains(key) { return -1 }
        throw line.error("image '\(key)' is not in the store")
    }
    var droppedPairs = 0
    defer { dropped?.pointee = droppedPairs }
    // Keeps a pair unless one of its images was excluded.
    func keep(_ l: Int32, _ r: Int32, _ label: Bool) {
        if l < 0 || r < 0 { droppedPairs += 1; return }
        left.append(l)
        right.append(r)
        labels.append(label)
    }
    var first = true
    switch format {
    case .cross, .crossVal, .crossAll:
        let c = try readCrossPairs(path)
        let chosen = format == .cross ? c.test : format == .crossVal ? c.val : Array(c.labels.indices)
        func crossRow(_ key: String) throws -> Int32 {
            if let r = index.row(key) { return r }
            if excluded.contains(key) { return -1 }
            throw InputError(file: path, "image '\(key)' is not in the store")
        }
        for i in chosen { keep(try crossRow(c.left[i]), try crossRow(c.right[i]), c.labels[i]) }
    case .csv:
        try scanner.forEachLine(separator: .comma) { line in
            defer { first = false }
            if first && line.count == 3 && line.string(2).lowercased() == "label" { return }
            guard line.count == 3 else {
                throw line.error("expected 'left,right,label' (3 fields), found \(line.count)")
            }
            let label = line.string(2)
            guard label == "0" || label == "1" else { throw line.error("label '\(label)' is not 0 or 1") }
            keep(try row(line.string(0), line), try row(line.string(1), line), label == "1")
        }
    case .lfw:
        func image(_ name: String, _ number: Int) -> String {
            "\(name)/\(name)_\(String(repeating: "0", count: max(0, 4 - String(number).count)))\(number).jpg"
        }
        try scanner.forEachLine(separator: .whitespace) { line in
            defer { first = false }
            if first && line.count <= 2 {
                for i in 0..<line.count { _ = try line.int(i, what: "header count") }
                return
            }
            switch line.count {
            case 3:
                let name = line.string(0)
                keep(try row(image(name, try line.int(1, what: "image number")), line),
                     try row(image(name, try line.int(2, what: "image number")), line), true)
            case 4:
                keep(try row(image(line.string(0), try line.int(1, what: "image number")), line),
                     try row(image(line.string(2), try line.int(3, what: "image number")), line), false)
            default:
                throw line.error("expected 'name n1 n2' or 'name1 n1 name2 n2', found \(line.count) fields")
            }
        }
    }
    guard !labels.isEmpty else { throw InputError(file: path, "no pairs in the file") }
    return try PairIndex(left: left, right: right, labels: labels)
}
