import Checkpoint

/// The reference's pair MLP (docs/strategies.md, Pair classifiers): `Linear` layers
/// `hidden.{i}.weight` `[out, in]` / `hidden.{i}.bias` `[out]`, ReLU after every layer but the
/// last, which has 2 outputs. Input `[left ‖ right]`; not symmetric.
public struct PairMLP: Sendable {
    var layers: [Linear]

    public var inFeatures: Int { layers[0].inFeatures }

    init(weights: WeightSet, prefix: String) throws {
        var r = WeightReader(weights, prefix: prefix)
        layers = []
        var i = 0
        while let shape = r.shape("hidden.\(i).weight") {
            guard shape.count == 2, layers.last.map({ $0.outFeatures == shape[1] }) ?? true else {
                _ = r.take("hidden.\(i).weight", [layers.last?.outFeatures ?? 0, 0])
                break
            }
            layers.append(Linear(weight: r.take("hidden.\(i).weight", shape), bias: r.take("hidden.\(i).bias", [shape[0]]),
                                 inFeatures: shape[1], outFeatures: shape[0]))
            i += 1
        }
        try r.finish(what: "an MLP pair classifier (hidden.{i}.weight [out, in], hidden.{i}.bias [out])")
        guard let last = layers.last, last.outFeatures == 2, layers[0].inFeatures % 2 == 0 else {
            throw CheckpointError(path: weights.source, message:
                "hidden.\(max(0, layers.count - 1)).weight must have 2 outputs and hidden.0.weight an even input size")
        }
    }

    func logits(left: [Float], right: [Float], pairs: Int) -> [Float] {
        let d = inFeatures / 2
        var h = [Float](repeating: 0, count: pairs * 2 * d)
        for p in 0..<pairs {
            for i in 0..<d {
                h[p * 2 * d + i] = left[p * d + i]
                h[p * 2 * d + d + i] = right[p * d + i]
            }
        }
        for (i, layer) in layers.enumerated() {
            h = layer.apply(h, rows: pairs)
            if i < layers.count - 1 { for j in h.indices where h[j] < 0 { h[j] = 0 } }
        }
        return h
    }
}
