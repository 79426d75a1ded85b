import Core
import Foundation
import Store

/// `scaleface store merge`: joins stores made by `embed --shard I/N` (or any stores of the
/// same model, preprocessing, strategies and bottleneck setting) into one, in the order given.
public struct StoreMerge {
    public var inputs: [String]
    public var output: String
    public var batchRows = 8_192

    public init(inputs: [String], output: String) {
        self.inputs = inputs
        self.output = output
    }

    @discardableResult
    public func run() throws -> Int {
        guard !inputs.isEmpty else { throw InputError(file: output, "no stores to merge") }
        let stores = try inputs.map { try EmbeddingStore.open($0) }
        let first = stores[0]
        for s in stores.dropFirst() {
            func differs(_ what: String) -> InputError {
                InputError(file: s.path, "\(what) differs from \(first.path); only stores of one model and setting merge")
            }
            guard s.dimension == first.dimension else { throw differs("embedding dimension") }
            guard s.model == first.model else { throw differs("model") }
            guard s.preprocessing == first.preprocessing else { throw differs("preprocessing") }
            guard s.strategies == first.strategies else { throw differs("the set of strategies") }
            guard s.hasLabels == first.hasLabels else { throw differs("having labels") }
            guard s.bottleneck?.width == first.bottleneck?.width, s.bottleneck?.half == first.bottleneck?.half else {
                throw differs("the bottleneck setting")
            }
        }
        var paths: [String] = []
        var labels: [Int64]? = first.hasLabels ? [] : nil
        var origin: [String: String] = [:]
        for s in stores {
            for p in try s.paths() {
                if let other = origin.updateValue(s.path, forKey: p) {
                    throw InputError(file: s.path, "image '\(p)' is also in \(other); shards must not overlap")
                }
                paths.append(p)
            }
            if let l = try s.labels() { labels?.append(contentsOf: l) }
        }
        let schema = StoreSchema(dimension: first.dimension, model: first.model, preprocessing: first.preprocessing,
                                 strategies: first.strategies, bottleneckWidth: first.bottleneck?.width,
                                 bottleneckHalf: first.bottleneck?.half ?? true)
        let writer = try EmbeddingStoreWriter.create(at: output, schema: schema, paths: paths, labels: labels)
        do {
            for s in stores {
                var start = 0
                while start < s.count {
                    let rows = start..<min(s.count, start + batchRows)
                    var u: [String: [Float]] = [:]
                    for strategy in s.strategies { u[strategy.name] = try s.uncertainty(named: strategy.name, rows: rows).values }
                    try writer.append(embeddings: try s.embeddings(rows: rows), uncertainties: u,
                                      bottleneck: try s.bottleneckFeatures(rows: rows))
                    start = rows.upperBound
                }
            }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return paths.count
    }
}
