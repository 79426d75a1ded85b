import Core
import Foundation

/// IJB-B's InsightFace meta files and IJB-A's 10 splits for a synthetic dataset, derived from
/// the IJB-C layouts already written under `protocolRoot` (docs/synthetic.md):
///
/// - `protocol/ijbb/ijbb_{face_tid_mid,template_pair_label,name_5pts_score}.txt`: the same
///   templates and pairs as `protocol/insightface/`, under IJB-B's names.
/// - `protocol/ijba/IJB-A_11_sets/split{k}/`: for k = 1...10 the subjects are shuffled
///   (`SplitMix64.stream(seed, 300, k)`, Fisher-Yates with `index(below:)`), the first
///   max(2, n/2) are the fold's test subjects: their templates (`verify_metadata_k.csv`) and the
///   IJB-C template pairs between them (`verify_comparisons_k.csv`); the other subjects'
///   templates are `train_k.csv`. FILE is the picture's file name with the first `_` as `/` and
///   `.jpg` for `.png`, as IJB-A names `img/123.jpg` the image whose aligned crop is `img_123.png`.
func writeSyntheticIJBLayouts(protocolRoot: String, seed: UInt64, folds: Int = 10) throws {
    func file(_ name: String) -> String { (protocolRoot as NSString).appendingPathComponent(name) }
    let fm = FileManager.default
    try fm.createDirectory(atPath: file("ijbb"), withIntermediateDirectories: true)
    for name in ["face_tid_mid", "template_pair_label", "name_5pts_score"] {
        try fm.copyItem(atPath: file("insightface/ijbc_\(name).txt"), toPath: file("ijbb/ijbb_\(name).txt"))
    }

    // templates of the official layout: id -> (subject, rows after TEMPLATE_ID,SUBJECT_ID)
    struct Row { var subject: Int; var file: String; var media: String; var sighting: String; var box: [String] }
    var rows: [Int: [Row]] = [:]
    for name in ["ijbc_1N_gallery_G1.csv", "ijbc_1N_gallery_G2.csv", "ijbc_1N_probe_mixed.csv"] {
        for line in try readTextLines(file("ijbc/" + name)).dropFirst() {
            let f = line.text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 9, let tid = Int(f[0]), let subject = Int(f[1]) else {
                throw InputError(file: file("ijbc/" + name), line: line.number, "not a synthetic template row")
            }
            var jpg = f[2].hasSuffix(".png") ? String(f[2].dropLast(4)) + ".jpg" : f[2]
            if let u = jpg.firstIndex(of: "_") { jpg.replaceSubrange(u...u, with: "/") }
            rows[tid, default: []].append(Row(subject: subject, file: jpg, media: f[3], sighting: f[4], box: Array(f[5...])))
        }
    }
    let matches = try readTextLines(file("ijbc/ijbc_11_G1_G2_matches.csv")).map { line -> (Int, Int) in
        let f = line.text.split(separator: ",")
        guard f.count == 2, let a = Int(f[0]), let b = Int(f[1]) else {
            throw InputError(file: file("ijbc/ijbc_11_G1_G2_matches.csv"), line: line.number, "not a 't1,t2' line")
        }
        return (a, b)
    }
    let ids = rows.keys.sorted()
    let subjects = Array(Set(rows.values.map { $0[0].subject })).sorted()
    let header = "TEMPLATE_ID,SUBJECT_ID,FILE,MEDIA_ID,SIGHTING_ID,FRAME,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT\n"
    func metadata(_ keep: (Int) -> Bool) -> String {
        var s = header
        for tid in ids where keep(rows[tid]![0].subject) {
            for r in rows[tid]! {
                s += "\(tid),\(r.subject),\(r.file),\(r.media),\(r.sighting),,\(r.box.joined(separator: ","))\n"
            }
        }
        return s
    }
    for k in 1...folds {
        var rng = SplitMix64.stream(seed, 300, UInt64(k))
        var order = subjects
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.index(below: i + 1)) }
        let test = Set(order.prefix(max(2, order.count / 2)))
        let split = file("ijba/IJB-A_11_sets/split\(k)")
        try fm.createDirectory(atPath: split, withIntermediateDirectories: true)
        func out(_ name: String) -> String { (split as NSString).appendingPathComponent(name) }
        try writeText(metadata { !test.contains($0) }, to: out("train_\(k).csv"))
        try writeText(metadata { test.contains($0) }, to: out("verify_metadata_\(k).csv"))
        try writeText(matches.filter { test.contains(rows[$0.0]![0].subject) && test.contains(rows[$0.1]![0].subject) }
                          .map { "\($0.0),\($0.1)\n" }.joined(),
                      to: out("verify_comparisons_\(k).csv"))
    }
}
