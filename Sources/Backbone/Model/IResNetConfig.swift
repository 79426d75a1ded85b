import Checkpoint
/// The iResNet family (docs/backbone.md). `widths` and `inputSize` default to the real
/// networks; the parity fixtures use narrower widths and smaller inputs of the same topology.
public struct IResNetConfig: Sendable, Equatable {
    public var blocks: [Int]
    public var widths: [Int]
    public var inputSize: Int
    public var embeddingSize: Int
    /// `iresnet*_normalized`: `feature` divided by its L2 norm (`F.normalize`, eps 1e-12).
    public var normalized: Bool

    public init(blocks: [Int], widths: [Int] = [64, 128, 256, 512], inputSize: Int = 112,
                embeddingSize: Int = 512, normalized: Bool = false) {
        self.blocks = blocks
        self.widths = widths
        self.inputSize = inputSize
        self.embeddingSize = embeddingSize
        self.normalized = normalized
    }

    public static let depths: [String: [Int]] = [
        "iresnet18": [2, 2, 2, 2], "iresnet34": [3, 4, 6, 3],
        "iresnet50": [3, 4, 14, 3], "iresnet100": [3, 13, 30, 3],
    ]

    /// `iresnet18|34|50|100`, optionally with the reference's `_normalized` suffix.
    public init?(arch: String) {
        var name = arch
        let normalized = name.hasSuffix("_normalized")
        if normalized { name = String(name.dropLast("_normalized".count)) }
        guard let b = Self.depths[name] else { return nil }
        self.init(blocks: b, normalized: normalized)
    }

    public static var archNames: [String] {
        depths.keys.sorted { $0.count == $1.count ? $0 < $1 : $0.count < $1.count }
    }

    /// Spatial size after the four stride-2 stages.
    public var finalSize: Int {
        var s = inputSize
        for _ in 0..<4 { s = (s - 1) / 2 + 1 }
        return s
    }

    /// `bottleneck_feature` width: last stage channels x final size squared.
    public var bottleneckWidth: Int { widths[3] * finalSize * finalSize }

    /// Multiply-accumulate count of the convolutions and the linear layer, per image, times 2.
    public var flopsPerImage: Double {
        var flops = 0.0
        var s = inputSize, c = widths[0]
        flops += 2.0 * Double(3 * 9 * c * s * s)
        for (stage, n) in blocks.enumerated() {
            let p = widths[stage]
            for b in 0..<n {
                let o = b == 0 ? (s - 1) / 2 + 1 : s
                flops += 2.0 * Double(c * 9 * p * s * s)      // conv1, stride 1
                flops += 2.0 * Double(p * 9 * p * o * o)      // conv2, stride s
                if b == 0 { flops += 2.0 * Double(c * p * o * o) }
                s = o
                c = p
            }
        }
        flops += 2.0 * Double(bottleneckWidth * embeddingSize)
        return flops
    }
}

extension IResNetConfig {
    /// Stage widths and embedding size read from the tensors' shapes (`layerK.0.conv2.weight`,
    /// `fc.weight`), keeping the defaults where a key is absent (loading then names it).
    /// Lets narrower networks of the same topology load; the real ones have 64/128/256/512.
    public func inferringWidths(from weights: WeightSet) -> IResNetConfig {
        var c = self
        for k in 0..<4 {
            if let s = weights["layer\(k + 1).0.conv2.weight"]?.shape, s.count == 4 { c.widths[k] = s[0] }
        }
        if let s = weights["fc.weight"]?.shape, s.count == 2 { c.embeddingSize = s[0] }
        return c
    }
}
