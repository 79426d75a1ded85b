import Core
import Checkpoint
import Backbone
/// The iResNet embedding layer on top of a frozen trunk (docs/backbone.md): `fc`
/// (Linear F -> D with bias) -> `features` (BatchNorm1d(D) whose weight is fixed to 1 and
/// whose bias is trained). Dropout before `fc` is the identity (p = 0, as at test time).
/// Inputs bottleneck features `[N, F]`, outputs the embedding `feature` `[N, D]`, row-major.
public struct EmbeddingLayerModel<T: TrainingScalar>: Sendable {
    public var fc: DenseLayer<T>
    public var features: BatchNormLayer<T>

    public init(inFeatures: Int, embedding: Int = 512, random: inout SplitMix64) {
        fc = DenseLayer(inFeatures: inFeatures, outFeatures: embedding, bias: true, random: &random)
        features = BatchNormLayer(channels: embedding, affine: true)
        features.weightTrainable = false
    }

    public var inFeatures: Int { fc.inFeatures }
    public var outFeatures: Int { fc.outFeatures }

    public struct Cache: Sendable {
        var input: [T]
        var bn: BatchNormLayer<T>.Cache
    }

    public mutating func forwardTraining(_ x: [T], rows: Int) -> (output: [T], cache: Cache) {
        let (y, c) = features.forwardTraining(fc.forward(x, rows: rows), rows: rows)
        return (y, Cache(input: x, bn: c))
    }

    public func forwardEval(_ x: [T], rows: Int) -> [T] {
        features.forwardEval(fc.forward(x, rows: rows), rows: rows)
    }

    public struct Gradients: Sendable {
        public var fc: DenseLayer<T>.Gradients
        public var featuresBias: [T]
    }

    public func backward(_ dOutput: [T], cache: Cache, rows: Int) -> Gradients {
        var w: [T] = []
        return backward(dOutput, cache: cache, rows: rows, fcWeight: &w)
    }

    /// As `backward`, computing fc's (large) weight gradient into a reused buffer.
    public func backward(_ dOutput: [T], cache: Cache, rows: Int, fcWeight: inout [T]) -> Gradients {
        let (d, gbn) = features.backward(dOutput, cache: cache.bn, rows: rows)
        let (_, b) = fc.backward(cache.input, d, rows: rows, needInput: false, weightGradient: &fcWeight)
        return Gradients(fc: .init(weight: fcWeight, bias: b), featuresBias: gbn.bias!)
    }

    public mutating func apply(_ g: Gradients, _ sgd: inout SGD) {
        sgd.step("fc.weight", &fc.weight, g.fc.weight)
        sgd.step("fc.bias", &fc.bias!, g.fc.bias!)
        sgd.step("features.bias", &features.bias!, g.featuresBias)
    }

    /// `fc.weight`, `fc.bias`, `features.weight` (ones), `features.bias`,
    /// `features.running_mean`, `features.running_var`, `features.num_batches_tracked`.
    public func stateDict(source: String = "scaleface train-head") -> WeightSet {
        var w = WeightSet(source: source)
        w.set("fc.weight", Tensor(shape: [fc.outFeatures, fc.inFeatures], values: fc.weight.map { Float($0) }))
        w.set("fc.bias", Tensor(shape: [fc.outFeatures], values: fc.bias!.map { Float($0) }))
        features.addRunningStatistics(to: &w, name: "features")
        return w
    }
}

extension EmbeddingLayerModel {
    /// The layer from a state dict with the keys `stateDict()` writes (under `prefix.` in
    /// error messages), e.g. the `backbone` section of `train-head --kind embedding` output or
    /// an iResNet checkpoint's `fc` / `features` tensors.
    public init(weights all: WeightSet, prefix: String = "") throws {
        // A whole backbone section may hold the trunk too: only the embedding layer is read.
        var weights = WeightSet(source: all.source)
        for n in all.names where n.hasPrefix("fc.") || n.hasPrefix("features.") { weights.set(n, all[n]!) }
        var r = WeightReader(weights, prefix: prefix)
        let shape = r.shape("fc.weight") ?? [0, 0]
        let out = shape.first ?? 0, input = shape.count == 2 ? shape[1] : 0
        fc = DenseLayer(weight: r.take("fc.weight", [out, input]).map { T($0) },
                        bias: r.take("fc.bias", [out]).map { T($0) }, inFeatures: input, outFeatures: out)
        features = BatchNormLayer(channels: out, affine: true)
        features.weight = r.take("features.weight", [out]).map { T($0) }
        features.bias = r.take("features.bias", [out]).map { T($0) }
        features.runningMean = r.take("features.running_mean", [out]).map { T($0) }
        features.runningVar = r.take("features.running_var", [out]).map { T($0) }
        features.weightTrainable = false
        if r.has("features.num_batches_tracked") { _ = r.take("features.num_batches_tracked", []) }
        features.batchesTracked = Int(weights["features.num_batches_tracked"]?.values.first ?? 0)
        try r.finish(what: "an embedding layer (fc + features)")
    }
}
