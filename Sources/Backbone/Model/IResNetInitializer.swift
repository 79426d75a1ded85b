import Core
import Checkpoint
import Foundation

/// Deterministic random weights for an iResNet, under the reference's state-dict names, for
/// a demonstration trunk that needs no downloaded checkpoint (`scaleface weights init`).
///
/// Convolutions are drawn from He-normal `N(0, gain^2 / fan_in)` with the PReLU gain
/// `sqrt(2 / (1 + 0.25^2))` (the PReLU slopes start at PyTorch's 0.25), so a branch roughly
/// keeps its input's variance. Each block's last batch norm (`bn3`) is scaled by
/// `1/sqrt(blocks)`, so the residual sum grows by a bounded factor over the network instead
/// of doubling per block. Every other batch norm is the identity (weight 1, bias 0, running
/// mean 0, running variance 1); `fc` is uniform in +-sqrt(3 / fan_in) and `features` the identity.
/// The same seed gives the same tensors on every machine (`SplitMix64`, SplitMix64).
public enum IResNetInitializer {
    public static func weights(config: IResNetConfig, seed: UInt64) -> WeightSet {
        var rng = SplitMix64(seed: seed)
        var w = WeightSet(source: "scaleface weights init (seed \(seed))")
        let preluGain = (2.0 / (1.0 + 0.25 * 0.25)).squareRoot()
        let totalBlocks = config.blocks.reduce(0, +)
        let residualScale = Float(1.0 / Double(max(totalBlocks, 1)).squareRoot())

        // Conv weights `[out, in, k, k]`, fan_in = in * k * k.
        func conv(_ name: String, out: Int, in c: Int, k: Int, gain: Double) {
            let std = gain / Double(c * k * k).squareRoot()
            w.set(name, Tensor(shape: [out, c, k, k], values: (0..<(out * c * k * k)).map { _ in Float(rng.normal() * std) }))
        }
        func batchNorm(_ name: String, _ n: Int, weight: Float = 1) {
            w.set("\(name).weight", Tensor(shape: [n], values: Array(repeating: weight, count: n)))
            w.set("\(name).bias", Tensor(shape: [n], values: Array(repeating: 0, count: n)))
            w.set("\(name).running_mean", Tensor(shape: [n], values: Array(repeating: 0, count: n)))
            w.set("\(name).running_var", Tensor(shape: [n], values: Array(repeating: 1, count: n)))
            w.set("\(name).num_batches_tracked", Tensor(shape: [], values: [0]))
        }
        func prelu(_ name: String, _ n: Int) {
            w.set(name, Tensor(shape: [n], values: Array(repeating: 0.25, count: n)))
        }

        let widths = config.widths
        conv("conv1.weight", out: widths[0], in: 3, k: 3, gain: preluGain)
        batchNorm("bn1", widths[0])
        prelu("prelu.weight", widths[0])
        var c = widths[0]
        for (stage, count) in config.blocks.enumerated() {
            let p = widths[stage]
            for b in 0..<count {
                let name = "layer\(stage + 1).\(b)"
                batchNorm("\(name).bn1", c)
                conv("\(name).conv1.weight", out: p, in: c, k: 3, gain: preluGain)
                batchNorm("\(name).bn2", p)
                prelu("\(name).prelu.weight", p)
                conv("\(name).conv2.weight", out: p, in: p, k: 3, gain: 1)
                batchNorm("\(name).bn3", p, weight: residualScale)
                if b == 0 {
                    conv("\(name).downsample.0.weight", out: p, in: c, k: 1, gain: 1)
                    batchNorm("\(name).downsample.1", p)
                }
                c = p
            }
        }
        batchNorm("bn2", c)
        let f = config.bottleneckWidth, e = config.embeddingSize
        let bound = (1.0 / Double(f)).squareRoot() * 3.0.squareRoot()
        w.set("fc.weight", Tensor(shape: [e, f], values: (0..<(e * f)).map { _ in Float((rng.uniform() * 2 - 1) * bound) }))
        w.set("fc.bias", Tensor(shape: [e], values: Array(repeating: 0, count: e)))
        batchNorm("features", e)
        return w
    }
}
