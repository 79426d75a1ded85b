import Core
import Foundation
import Store

/// `scaleface store export`: a store back to plain files numpy reads.
///
/// Writes `paths.txt`, `embeddings.npy` (float32 `[N, D]`), `uncertainty_<NAME>.npy`
/// (float32 `[N, k]`, as stored), `labels.npy` when present and `manifest.json` with the
/// store's attributes and each strategy's mode. Each file appears only when complete.
public struct StoreExport {
    public var store: String
    public var output: String

    public init(store: String, output: String) {
        self.store = store
        self.output = output
    }

    @discardableResult
    public func run() throws -> [String] {
        let s = try EmbeddingStore.open(store)
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw InputError(file: output, "cannot create the output directory (\(error.localizedDescription))")
        }
        var written: [String] = []
        func target(_ name: String) -> String {
            let p = (output as NSString).appendingPathComponent(name)
            written.append(p)
            return p
        }
        let paths = try s.paths()
        try writeAtomically(to: target("paths.txt")) { tmp in
            let text = paths.joined(separator: "\n") + (paths.isEmpty ? "" : "\n")
            guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else {
                throw InputError(file: tmp, "cannot write")
            }
        }
        try NpyFile.write(try s.embeddings(), shape: [s.count, s.dimension], to: target("embeddings.npy"))
        for strategy in s.strategies {
            let u = try s.uncertainty(named: strategy.name)
            try NpyFile.write(u.values, shape: [s.count, u.width], to: target("uncertainty_\(strategy.name).npy"))
        }
        if let labels = try s.labels() {
            try NpyFile.write(labels, shape: [s.count], to: target("labels.npy"))
        }
        let manifest = ExportManifest(
            source: store, count: s.count, dimension: s.dimension, model: s.model, preprocessing: s.preprocessing,
            created: s.created, formatVersion: Int(s.formatVersion),
            strategies: s.strategies.map { .init(name: $0.name, width: $0.width, mode: $0.mode.rawValue, file: "uncertainty_\($0.name).npy") })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(manifest)
        try writeAtomically(to: target("manifest.json")) { tmp in
            guard FileManager.default.createFile(atPath: tmp, contents: json) else { throw InputError(file: tmp, "cannot write") }
        }
        return written
    }
}

struct ExportManifest: Codable {
    struct Strategy: Codable {
        var name: String
        var width: Int
        var mode: String
        var file: String
    }
    var source: String
    var count: Int
    var dimension: Int
    var model: String
    var preprocessing: String
    var created: String
    var formatVersion: Int
    var strategies: [Strategy]
}
