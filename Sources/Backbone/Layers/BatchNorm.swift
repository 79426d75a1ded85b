/// Inference-mode batch normalisation reduced to a per-channel affine map
/// `y = x * scale + shift`, with `scale = weight / sqrt(var + eps)` and
/// `shift = bias - mean * scale` (weight 1, bias 0 when `affine=False`).
struct ChannelAffine {
    var scale: [Float]
    var shift: [Float]

    init(scale: [Float], shift: [Float]) {
        self.scale = scale
        self.shift = shift
    }

    init(weight: [Float]?, bias: [Float]?, mean: [Float], variance: [Float], eps: Float = 1e-5) {
        let s = (0..<mean.count).map { (weight?[$0] ?? 1) / (variance[$0] + eps).squareRoot() }
        scale = s
        shift = (0..<mean.count).map { (bias?[$0] ?? 0) - mean[$0] * s[$0] }
    }

    var count: Int { scale.count }
}
