import Backbone
import Foundation
import Store

/// `scaleface heads`: applies trained heads to a store's `/bottleneck` and writes a copy of
/// the store with `/uncertainty/scale` (the scale predictor's output, a confidence) and/or
/// `/uncertainty/head` (PFE `sigma^2 = exp(log sigma^2)`, an uncertainty) added or replaced.
/// Heads come from checkpoints' `scale_predictor` / `head` sections, or from bare state dicts
/// with MLPHead (`mlp.*`) or PFEHead (`fc1.*`) keys. The new store is written under a
/// partial name and renamed into place when complete (it may replace the input store).
/// With `embeddingLayer`, `/embeddings` is recomputed from the bottleneck by a trained
/// embedding layer (`fc` + `features`, the `backbone` section of `train-head --kind
/// embedding`), and `emb_norm` (kept or requested) from the new embeddings.
public struct HeadsStage {
    public var store: String
    public var checkpoints: [String]
    public var strategies: [EmbedStrategy]
    public var activation: ScaleActivation = .exp
    public var coefficient: Float = 64
    public var embeddingLayer = false
    /// Rows per read/compute/write step.
    public var chunkRows = 4096
    public var output: String
    public var quiet = false

    public init(store: String, checkpoints: [String], strategies: [EmbedStrategy], output: String) {
        self.store = store
        self.checkpoints = checkpoints
        self.strategies = strategies
        self.output = output
    }

    /// The MLPHead or PFEHead a strategy needs, from the first checkpoint that has it.
    func loadHeads(bottleneck width: Int) throws -> (scale: MLPHead?, pfe: PFEHead?) {
        guard !checkpoints.isEmpty else { throw InputError(file: store, "no --checkpoint given") }
        let sets = try checkpoints.map { try WeightsFile.load(path: $0) }
        var scale: MLPHead?, pfe: PFEHead?
        for s in strategies {
            switch s {
            case .scale:
                guard let (i, w, prefix) = find(sets, section: "scale_predictor", bareKey: "mlp.0.weight") else {
                    throw InputError(file: checkpoints.joined(separator: ", "), "no 'scale_predictor' section (or bare MLPHead state dict with mlp.0.weight) for strategy 'scale'")
                }
                let h = try MLPHead(weights: w, prefix: prefix, activation: activation, coefficient: coefficient)
                guard h.inFeatures == width else {
                    throw InputError(file: checkpoints[i], "scale predictor takes \(h.inFeatures) inputs, the store's /bottleneck has \(width)")
                }
                scale = h
            case .head:
                guard let (i, w, prefix) = find(sets, section: "head", bareKey: "fc1.weight") ?? find(sets, section: "head", bareKey: "fc1") else {
                    throw InputError(file: checkpoints.joined(separator: ", "), "no 'head' section (or bare PFEHead state dict with fc1.weight) for strategy 'head'")
                }
                let h = try PFEHead(weights: w, prefix: prefix)
                guard h.inFeatures == width else {
                    throw InputError(file: checkpoints[i], "PFE head takes \(h.inFeatures) inputs, the store's /bottleneck has \(width)")
                }
                pfe = h
            case .embNorm where embeddingLayer:
                continue
            case .embNorm, .magface:
                throw InputError(file: store, "strategy '\(s.rawValue)' is computed by embed, not by heads (expected scale or head; emb_norm with --embedding-layer)")
            }
        }
        return (scale, pfe)
    }

    /// The embedding layer from the first checkpoint with a `backbone` section holding
    /// `fc.weight`, or a bare state dict with `fc.weight` and `features.running_mean`.
    func loadEmbeddingLayer(bottleneck width: Int) throws -> EmbeddingLayerModel<Float> {
        let sets = try checkpoints.map { try WeightsFile.load(path: $0) }
        let i: Int, prefix: String
        if let k = sets.firstIndex(where: { $0["backbone.fc.weight"] != nil }) {
            (i, prefix) = (k, "backbone")
        } else if let k = sets.firstIndex(where: { $0["fc.weight"] != nil && $0["features.running_mean"] != nil }) {
            (i, prefix) = (k, "")
        } else {
            throw InputError(file: checkpoints.joined(separator: ", "), "no embedding layer (backbone.fc.weight, or bare fc.* and features.*) for --embedding-layer")
        }
        let layer = try EmbeddingLayerModel<Float>(weights: prefix.isEmpty ? sets[i] : sets[i].section(prefix), prefix: prefix)
        guard layer.inFeatures == width else {
            throw InputError(file: checkpoints[i], "embedding layer takes \(layer.inFeatures) inputs, the store's /bottleneck has \(width)")
        }
        return layer
    }

    /// Which checkpoint, its weights for the head, and the prefix naming them in errors.
    private func find(_ sets: [WeightSet], section: String, bareKey: String) -> (Int, WeightSet, String)? {
        if let i = sets.firstIndex(where: { $0.hasSection(section) }) { return (i, sets[i].section(section), section) }
        if let i = sets.firstIndex(where: { $0[bareKey] != nil }) { return (i, sets[i], "") }
        return nil
    }

    @discardableResult
    public func run() throws -> Int {
        guard !strategies.isEmpty || embeddingLayer else {
            throw InputError(file: store, "no strategies given (expected scale and/or head, or --embedding-layer)")
        }
        let source = try EmbeddingStore.open(store)
        guard let bottleneck = source.bottleneck else {
            throw InputError(file: store, "store has no /bottleneck (heads are applied to the stored bottleneck features)")
        }
        let (scaleHead, pfeHead) = try loadHeads(bottleneck: bottleneck.width)
        let layer = embeddingLayer ? try loadEmbeddingLayer(bottleneck: bottleneck.width) : nil
        var added: [StrategyInfo] = []
        if layer != nil && (strategies.contains(.embNorm) || source.strategies.contains { $0.name == EmbedStrategy.embNorm.rawValue }) {
            added.append(StrategyInfo(name: EmbedStrategy.embNorm.rawValue, width: 1, mode: .confidence))
        }
        if let scaleHead { added.append(StrategyInfo(name: EmbedStrategy.scale.rawValue, width: scaleHead.outFeatures, mode: .confidence)) }
        if let pfeHead { added.append(StrategyInfo(name: EmbedStrategy.head.rawValue, width: pfeHead.outFeatures, mode: .uncertainty)) }
        let kept = source.strategies.filter { s in !added.contains { $0.name == s.name } }
        let names = checkpoints.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
        let schema = StoreSchema(dimension: layer?.outFeatures ?? source.dimension,
                                 model: layer == nil ? source.model : "\(source.model) + embedding layer \(names)",
                                 preprocessing: source.preprocessing,
                                 strategies: kept + added, bottleneckWidth: bottleneck.width, bottleneckHalf: bottleneck.half)
        let created = ISO8601DateFormatter().date(from: source.created) ?? Date()
        let writer = try EmbeddingStoreWriter.create(at: output, schema: schema, paths: try source.paths(),
                                                     labels: try source.labels(), created: created)
        do {
            var start = 0
            while start < source.count {
                let rows = start..<min(source.count, start + max(1, chunkRows))
                let features = try source.bottleneckFeatures(rows: rows)!
                var values: [String: [Float]] = [:]
                for s in kept { values[s.name] = try source.uncertainty(named: s.name, rows: rows).values }
                if let scaleHead { values[EmbedStrategy.scale.rawValue] = scaleHead.apply(features, rows: rows.count) }
                if let pfeHead { values[EmbedStrategy.head.rawValue] = pfeHead.logSigmaSq(features, rows: rows.count).map { Foundation.exp($0) } }
                var embeddings = try source.embeddings(rows: rows)
                if let layer {
                    embeddings = layer.forwardEval(features, rows: rows.count)
                    if values[EmbedStrategy.embNorm.rawValue] == nil, added.contains(where: { $0.name == EmbedStrategy.embNorm.rawValue }) {
                        let dim = layer.outFeatures
                        values[EmbedStrategy.embNorm.rawValue] = (0..<rows.count).map { r in
                            (0..<dim).reduce(Float(0)) { $0 + embeddings[r * dim + $1] * embeddings[r * dim + $1] }.squareRoot()
                        }
                    }
                }
                try writer.append(embeddings: embeddings, uncertainties: values, bottleneck: features)
                start = rows.upperBound
                if !quiet {
                    FileHandle.standardError.write(String(format: "\rheads: %d/%d images   ", start, source.count).data(using: .utf8)!)
                }
            }
            if !quiet { FileHandle.standardError.write("\n".data(using: .utf8)!) }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return source.count
    }
}
