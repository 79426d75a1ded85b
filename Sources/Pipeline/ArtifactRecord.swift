import Core
import Foundation

/// What the runner writes beside each artifact (`artifact.json`) and, for the latest run of a
/// stage, as `last.json`: everything that went into the key, so `--dry-run` can say which
/// input changed (docs/pipeline.md, "Caching").
public struct ArtifactRecord: Codable, Sendable {
    public static let fileName = "artifact.json"
    public var stage: String
    public var kind: String
    public var version: Int
    public var key: String
    /// Parameter key -> canonical text (defaults filled in).
    public var parameters: [String: String]
    /// Role -> upstream stage, and role -> that stage's key.
    public var inputs: [String: String]
    public var inputKeys: [String: String]
    /// Parameter key -> content digest of the file or folder it names, and the path as written.
    public var files: [String: String]
    public var fileNames: [String: String]?
    public var created: String?
    public var seconds: Double?

    public static func load(_ url: URL) -> ArtifactRecord? {
        (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(ArtifactRecord.self, from: $0) }
    }

    public func write(to url: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeData(try e.encode(self), to: url.path)
    }

    /// Why a stage with this record must run, given the record of its last successful run:
    /// each changed input named, e.g. `pairs: data/pairs.csv changed`.
    func changes(since last: ArtifactRecord) -> [String] {
        if last.key == key { return ["artifact \(key) missing from the cache"] }
        var reasons: [String] = []
        if last.version != version { reasons.append("kind \(kind) version \(version) (was \(last.version))") }
        for k in Set(last.parameters.keys).union(parameters.keys).sorted() where last.parameters[k] != parameters[k] {
            reasons.append("\(k): \(last.parameters[k] ?? "unset") -> \(parameters[k] ?? "unset")")
        }
        for k in Set(last.files.keys).union(files.keys).sorted() where last.files[k] != files[k] {
            let base = k.split(separator: "[").first.map(String.init) ?? k
            // A changed path is already named among the parameters.
            if last.parameters[base] != parameters[base] { continue }
            reasons.append("\(base): \(fileNames?[k] ?? last.fileNames?[k] ?? k) changed")
        }
        for k in Set(last.inputKeys.keys).union(inputKeys.keys).sorted() where last.inputKeys[k] != inputKeys[k] {
            reasons.append("input \(k): stage '\(inputs[k] ?? last.inputs[k] ?? "?")' changed")
        }
        return reasons.isEmpty ? ["key changed"] : reasons
    }
}
