import ArgumentParser
import Core
import Training
import Checkpoint
import Backbone
import Foundation
import Pipeline
import Store

/// The options of `scaleface heads` and of `kind: heads`.
public struct HeadsOptions: ParsableArguments, Sendable {
    @Option(help: "Embedding store with /bottleneck.")
    public var store: InputFile
    @Option(help: "Checkpoint (.pth or scaleface weights .h5); repeat for several.")
    public var checkpoint: [InputFile] = []
    @Option(help: "Comma-separated: scale, head (emb_norm with the embedding layer).")
    public var strategies: CommaList<EmbedStrategy> = []
    @Flag(help: "Recompute /embeddings with the checkpoint's embedding layer (fc + features).")
    public var embeddingLayer = false
    @Option(help: "Scale head output activation: exp, sigm, sigm_mul, sigm_sum, sigm_sum_mul, relu, lin.")
    public var activation: ScaleActivation = .exp
    @Option(help: "Coefficient c of the scale activations.")
    public var coefficient: Float = 64

    public init() {}

    public func validate() throws {
        for s in strategies.items where !(s == .scale || s == .head || (s == .embNorm && embeddingLayer)) {
            throw ValidationError("strategy '\(s.rawValue)' is not made by heads (expected scale, head; emb_norm with the embedding layer)")
        }
    }
}

/// `scaleface heads`: applies trained heads to a store's `/bottleneck` and writes a copy of
/// the store with `/uncertainty/scale` (the scale predictor's output, a confidence) and/or
/// `/uncertainty/head` (`sigma^2 = exp(log sigma^2)` of whichever head the checkpoint holds:
/// 512 values for PFEHead, PFEHeadAdjustable and PFEHeadAdjustableSpectralSimple, one for
/// ProbHead; an uncertainty; docs/strategies.md, "Heads") added or replaced.
/// Heads come from checkpoints' `scale_predictor` / `head` sections, or from bare state dicts
/// with MLPHead (`mlp.*`) or head (`fc1`, `fc1.weight`, `fc1.weight_orig`) keys. The new store is written under a
/// partial name and renamed into place when complete (it may replace the input store).
/// With `embeddingLayer`, `/embeddings` is recomputed from the bottleneck by a trained
/// embedding layer (`fc` + `features`, the `backbone` section of `train-head --kind
/// embedding`), and `emb_norm` (kept or requested) from the new embeddings.
public struct HeadsJob {
    public var options: HeadsOptions
    /// The store to write (it may be the input store, replaced when complete).
    public var output: String
    public var quiet: Bool
    /// Rows per read/compute/write step.
    public var chunkRows = 4096

    public init(_ options: HeadsOptions, output: String, quiet: Bool) {
        self.options = options
        self.output = output
        self.quiet = quiet
    }

    /// The MLPHead or variance head a strategy needs, from the first checkpoint that has it.
    func loadHeads(bottleneck width: Int) throws -> UncertaintyHeads {
        guard !options.checkpoint.map(\.path).isEmpty else { throw InputError(file: options.store.path, "no checkpoint given") }
        let sets = try options.checkpoint.map(\.path).map { ($0, try WeightsFile.load(path: $0)) }
        let name = "the store's /bottleneck"
        var heads = UncertaintyHeads()
        for s in options.strategies.items {
            switch s {
            case .scale:
                guard let found = UncertaintyHeads.find(sets, section: "scale_predictor", bareKeys: ["mlp.0.weight"]) else {
                    throw InputError(file: options.checkpoint.map(\.path).joined(separator: ", "), "no 'scale_predictor' section (or bare MLPHead state dict with mlp.0.weight) for strategy 'scale'")
                }
                heads.scale = try UncertaintyHeads.scaleHead(found, activation: options.activation, coefficient: options.coefficient,
                                                             bottleneck: width, bottleneckName: name)
            case .head:
                guard let found = UncertaintyHeads.find(sets, section: "head", bareKeys: UncertaintyHeads.headBareKeys) else {
                    throw InputError(file: options.checkpoint.map(\.path).joined(separator: ", "), "no 'head' section (or bare head state dict with fc1, fc1.weight or fc1.weight_orig) for strategy 'head'")
                }
                heads.variance = try UncertaintyHeads.varianceHead(found, bottleneck: width, bottleneckName: name)
            case .embNorm where options.embeddingLayer:
                continue
            case .embNorm, .magface, .backboneUncertaintyModel, .classifier, .gan, .blurredScale:
                throw InputError(file: options.store.path, "strategy '\(s.rawValue)' is computed by embed, not by heads (expected scale or head; emb_norm with the embedding layer)")
            }
        }
        return heads
    }

    /// The embedding layer from the first checkpoint with a `backbone` section holding
    /// `fc.weight`, or a bare state dict with `fc.weight` and `features.running_mean`.
    func loadEmbeddingLayer(bottleneck width: Int) throws -> EmbeddingLayerModel<Float> {
        let sets = try options.checkpoint.map(\.path).map { try WeightsFile.load(path: $0) }
        let i: Int, prefix: String
        if let k = sets.firstIndex(where: { $0["backbone.fc.weight"] != nil }) {
            (i, prefix) = (k, "backbone")
        } else if let k = sets.firstIndex(where: { $0["fc.weight"] != nil && $0["features.running_mean"] != nil }) {
            (i, prefix) = (k, "")
        } else {
            throw InputError(file: options.checkpoint.map(\.path).joined(separator: ", "), "no embedding layer (backbone.fc.weight, or bare fc.* and features.*) for the embedding layer")
        }
        let layer = try EmbeddingLayerModel<Float>(weights: prefix.isEmpty ? sets[i] : sets[i].section(prefix), prefix: prefix)
        guard layer.inFeatures == width else {
            throw InputError(file: options.checkpoint.map(\.path)[i], "embedding layer takes \(layer.inFeatures) inputs, the store's /bottleneck has \(width)")
        }
        return layer
    }

    @discardableResult
    public func run() throws -> Int {
        guard !options.strategies.items.isEmpty || options.embeddingLayer else {
            throw InputError(file: options.store.path, "no strategies given (expected scale and/or head, or the embedding layer)")
        }
        let source = try EmbeddingStore.open(options.store.path)
        guard let bottleneck = source.bottleneck else {
            throw InputError(file: options.store.path, "store has no /bottleneck (heads are applied to the stored bottleneck features)")
        }
        let heads = try loadHeads(bottleneck: bottleneck.width)
        let layer = options.embeddingLayer ? try loadEmbeddingLayer(bottleneck: bottleneck.width) : nil
        var added: [StrategyInfo] = []
        if layer != nil && (options.strategies.items.contains(.embNorm) || source.strategies.contains { $0.name == EmbedStrategy.embNorm.rawValue }) {
            added.append(StrategyInfo(name: EmbedStrategy.embNorm.rawValue, width: 1, mode: .confidence))
        }
        if let h = heads.scale { added.append(StrategyInfo(name: EmbedStrategy.scale.rawValue, width: h.outFeatures, mode: .confidence)) }
        if let h = heads.variance { added.append(StrategyInfo(name: EmbedStrategy.head.rawValue, width: h.outFeatures, mode: .uncertainty)) }
        let kept = source.strategies.filter { s in !added.contains { $0.name == s.name } }
        let names = options.checkpoint.map(\.path).map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
        let schema = StoreSchema(dimension: layer?.outFeatures ?? source.dimension,
                                 model: layer == nil ? source.model : "\(source.model) + embedding layer \(names)",
                                 preprocessing: source.preprocessing,
                                 strategies: kept + added, bottleneckWidth: bottleneck.width, bottleneckHalf: bottleneck.half)
        let created = ISO8601DateFormatter().date(from: source.created) ?? Date()
        let writer = try EmbeddingStoreWriter.create(at: output, schema: schema, paths: try source.paths(),
                                                     labels: try source.labels(), created: created)
        do {
            var start = 0
            let progress = ProgressLine(label: "heads", total: source.count, quiet: quiet)
            while start < source.count {
                let rows = start..<min(source.count, start + max(1, chunkRows))
                let features = try source.bottleneckFeatures(rows: rows)!
                var values: [String: [Float]] = [:]
                for s in kept { values[s.name] = try source.uncertainty(named: s.name, rows: rows).values }
                if heads.scale != nil { values[EmbedStrategy.scale.rawValue] = heads.scaleValues(features, rows: rows.count) }
                if heads.variance != nil { values[EmbedStrategy.head.rawValue] = heads.headValues(features, rows: rows.count) }
                var embeddings = try source.embeddings(rows: rows)
                if let layer {
                    embeddings = layer.forwardEval(features, rows: rows.count)
                    if values[EmbedStrategy.embNorm.rawValue] == nil, added.contains(where: { $0.name == EmbedStrategy.embNorm.rawValue }) {
                        values[EmbedStrategy.embNorm.rawValue] = UncertaintyHeads.embeddingNorms(
                            embeddings, rows: rows.count, width: layer.outFeatures)
                    }
                }
                try writer.append(embeddings: embeddings, uncertainties: values, bottleneck: features)
                start = rows.upperBound
                progress.update(start)
            }
            progress.finish()
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return source.count
    }
}
