import Foundation
import XCTest

/// Inputs shared by the reject and fusion tests.
extension TestSupport {
    /// A store of 20 synthetic identities x 3 images of 16 dimensions with a `scale` confidence.
    static func syntheticStore(_ dir: URL) throws -> URL {
        let data = dir.appendingPathComponent("data")
        var r = try scaleface(["synth-embeddings", "--out", data.path, "--identities", "20",
                               "--images-per-identity", "3", "--dimension", "16"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let store = dir.appendingPathComponent("s.h5")
        r = try scaleface(["store", "import", "--out", store.path, "--paths", data.appendingPathComponent("paths.txt").path,
                           "--embeddings", data.appendingPathComponent("embeddings.npy").path,
                           "--uncertainty", "scale=" + data.appendingPathComponent("confidence.npy").path + ":confidence",
                           "--labels", data.appendingPathComponent("labels.npy").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return store
    }

    /// An insightface protocol over `syntheticStore`'s images: template 2i holds image 0 of
    /// identity i, template 2i+1 images 1 and 2; every even template paired with every odd one,
    /// the even one on the left (or the odd one, with `oddLeft`). Returns the pair file's text.
    @discardableResult
    static func writeInsightFaceTemplates(_ meta: URL, oddLeft: Bool = false) throws -> String {
        try FileManager.default.createDirectory(at: meta, withIntermediateDirectories: true)
        var tid = "", pairs = ""
        for i in 0..<20 {
            let p = String(format: "id%05d", i)
            tid += "\(p)/img000.png \(2 * i) \(10 * i)\n\(p)/img001.png \(2 * i + 1) \(10 * i + 1)\n\(p)/img002.png \(2 * i + 1) \(10 * i + 1)\n"
            for j in 0..<20 { pairs += oddLeft ? "\(2 * j + 1) \(2 * i) \(i == j ? 1 : 0)\n" : "\(2 * i) \(2 * j + 1) \(i == j ? 1 : 0)\n" }
        }
        try tid.write(to: meta.appendingPathComponent("ijbc_face_tid_mid.txt"), atomically: true, encoding: .utf8)
        try pairs.write(to: meta.appendingPathComponent("ijbc_template_pair_label.txt"), atomically: true, encoding: .utf8)
        return pairs
    }
}
