import Checkpoint
import Core

/// Deterministic stand-in weights and images for the StyleGAN2 discriminator, as
/// `IResNetInitializer` is for the backbone: the SplitMix64 seed weights and images of
/// tools/parity/stylegan2_discriminator.py (`seed_weights`, `seed_images`), generated
/// identically here so that the shipped 256 / cm 2 geometry is tested and benchmarked against
/// PyTorch without committing its 115 MB state dict (docs/strategies.md, GAN). They are not
/// a trained network.
public enum DiscriminatorSeedWeights {
    /// State-dict keys and shapes in module order (`state_dict_shapes` of the script).
    public static func shapes(_ c: DiscriminatorConfig) -> [(String, [Int])] {
        let ch = c.channels
        var keys: [(String, [Int])] = [("convs.0.0.weight", [ch[c.size]!, 3, 1, 1]), ("convs.0.1.bias", [ch[c.size]!])]
        var r = c.size, j = 1, cin = ch[c.size]!
        while r > 4 {
            let cout = ch[r / 2]!, p = "convs.\(j)"
            keys += [("\(p).conv1.0.weight", [cin, cin, 3, 3]), ("\(p).conv1.1.bias", [cin]),
                     ("\(p).conv2.0.kernel", [4, 4]), ("\(p).conv2.1.weight", [cout, cin, 3, 3]), ("\(p).conv2.2.bias", [cout]),
                     ("\(p).skip.0.kernel", [4, 4]), ("\(p).skip.1.weight", [cout, cin, 1, 1])]
            cin = cout; r /= 2; j += 1
        }
        let c4 = ch[4]!
        keys += [("final_conv.0.weight", [c4, c4 + 1, 3, 3]), ("final_conv.1.bias", [c4]),
                 ("final_linear.0.weight", [c4, c4 * 16]), ("final_linear.0.bias", [c4]),
                 ("final_linear.1.weight", [1, c4]), ("final_linear.1.bias", [1])]
        return keys
    }

    public static let blurKernel: [Float] = {
        let k: [Float] = [1, 3, 3, 1]
        return (0..<16).map { k[$0 / 4] * k[$0 % 4] / 64 }
    }()

    /// Tensor k draws from `SplitMix64.stream(seed, k)`: `j = next() >> 40`, then
    /// `(j - 2^23) / 2^22` (weights) or `/ 2^26` (biases); kernels are the fixed blur kernel.
    public static func weights(seed: UInt64, config: DiscriminatorConfig) -> WeightSet {
        var w = WeightSet(source: "seed \(seed)")
        for (k, (name, shape)) in shapes(config).enumerated() {
            if name.hasSuffix("kernel") { w.set(name, Tensor(shape: shape, values: blurKernel)); continue }
            var g = SplitMix64.stream(seed, UInt64(k))
            let scale = name.hasSuffix("bias") ? 0x1p-26 : 0x1p-22
            let values = (0..<shape.reduce(1, *)).map { _ in Float(Double(Int64(g.next() >> 40) - (1 << 23)) * scale) }
            w.set(name, Tensor(shape: shape, values: values))
        }
        return w
    }

    /// uint8 `[h, w, 3]` image b: byte i is output i of `SplitMix64.stream(seed, 1_000_000 + b)`, `>> 56`.
    public static func image(seed: UInt64, index b: Int, height: Int, width: Int) -> [UInt8] {
        var g = SplitMix64.stream(seed, UInt64(1_000_000 + b))
        return (0..<(height * width * 3)).map { _ in UInt8(g.next() >> 56) }
    }

    /// The GAN input `[n, 3, size, size]` of seed images 0..<n.
    public static func input(seed: UInt64, count n: Int, height: Int, width: Int, size: Int) -> [Float] {
        (0..<n).flatMap { b in
            image(seed: seed, index: b, height: height, width: width).withUnsafeBufferPointer {
                GANResize.planarInput(rgb: $0, height: height, width: width, size: size)
            }
        }
    }
}
