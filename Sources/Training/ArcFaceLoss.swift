import Backbone
/// The ArcFace family of losses against class centres, as the reference's `ArcFace` and
/// `ArcFaceScale` modules followed by softmax cross-entropy (mean over the batch):
/// `cos theta_ij` between the L2-normalised embedding `i` and the L2-normalised centre `j`,
/// clamped to [-1, 1]; the true class gets `cos(theta + m)` (no easy-margin or threshold
/// variant, exactly as the reference adds `m` to the angle); every logit of row `i` is then
/// multiplied by the row's scale: a constant `s` (ArcFace, s = 64) or the per-image
/// predicted `s(x_i)` (ArcFaceScale). With `kind: .cosface` the true class gets `cos theta - m`
/// instead (the reference's `CosFace`, s = 64, m = 0.40; docs/training.md, Losses).
///
/// Layouts: embeddings `[N, D]`, centres `[C, D]` (one row per class), both row-major and not
/// necessarily normalised (the loss normalises them, `F.normalize` with eps 1e-12); labels in
/// `0..<C`; scales `[N]`.
public struct ArcFaceLoss<T: TrainingScalar>: Sendable {
    /// How the margin enters the true-class logit.
    public enum Kind: String, Sendable, CaseIterable {
        /// `cos(theta + m)` (the reference's `ArcFace`).
        case arcface
        /// `cos(theta) - m` (the reference's `CosFace`).
        case cosface
    }

    public var margin: Double
    public var kind: Kind

    public init(margin: Double = 0.5, kind: Kind = .arcface) { self.margin = margin; self.kind = kind }

    public struct Result: Sendable {
        public var loss: Double
        /// d loss / d embeddings `[N, D]` (empty unless asked for).
        public var embeddings: [T]
        /// d loss / d centres `[C, D]` (empty unless asked for).
        public var centers: [T]
        /// d loss / d scale `[N]`.
        public var scales: [T]
    }

    public func evaluate(embeddings e: [T], centers w: [T], labels: [Int], scales: [T], dimension d: Int,
                         embeddingGradient: Bool, centerGradient: Bool) -> Result {
        let n = labels.count, c = d == 0 ? 0 : w.count / d
        precondition(e.count == n * d && w.count == c * d && scales.count == n, "ArcFace loss shapes disagree")
        let (eh, en) = Self.normalise(e, columns: d)
        let (wh, wn) = Self.normalise(w, columns: d)
        var cosine = MatMul.product(eh, wh, transB: true, m: n, n: c, k: d)   // [N, C]
        let cosM = Foundation_cos(margin), sinM = Foundation_sin(margin)
        var dCos = [T](repeating: 0, count: n * c)
        var dScale = [T](repeating: 0, count: n)
        var total = 0.0
        var logits = [Double](repeating: 0, count: c), f = logits, df = logits
        for i in 0..<n {
            let s = Double(scales[i]), y = labels[i]
            precondition(y >= 0 && y < c, "label \(y) outside 0..<\(c)")
            var top = -Double.infinity
            for j in 0..<c {
                let raw = Double(cosine[i * c + j])
                let x = min(1, max(-1, raw))
                let inside = raw > -1 && raw < 1   // clamp has zero slope outside
                if j == y && kind == .cosface {
                    f[j] = x - margin
                    df[j] = inside ? 1 : 0
                } else if j == y {
                    // cos(acos(x) + m) = x cos m - sin(theta) sin m; its slope is
                    // sin(theta + m) / sin(theta), kept finite where theta = 0 or pi.
                    let sinT = (1 - x * x).squareRoot()
                    f[j] = x * cosM - sinT * sinM
                    df[j] = inside ? (sinT * cosM + x * sinM) / max(sinT, 1e-7) : 0
                } else {
                    f[j] = x
                    df[j] = inside ? 1 : 0
                }
                logits[j] = s * f[j]
                top = max(top, logits[j])
            }
            var sum = 0.0
            for j in 0..<c { logits[j] = Foundation_exp(logits[j] - top); sum += logits[j] }
            total += Foundation_log(sum) + top - s * f[y]
            var ds = 0.0
            for j in 0..<c {
                let g = (logits[j] / sum - (j == y ? 1 : 0)) / Double(n)   // d loss / d logit
                ds += g * f[j]
                dCos[i * c + j] = T(g * s * df[j])
            }
            dScale[i] = T(ds)
        }
        cosine = []
        var dE: [T] = [], dW: [T] = []
        if embeddingGradient {
            let dEh = MatMul.product(dCos, wh, m: n, n: d, k: c)
            dE = Elementwise.normaliseRowsBackward(output: eh, norms: en, dEh, columns: d)
        }
        if centerGradient {
            let dWh = MatMul.product(dCos, transA: true, eh, m: c, n: d, k: n)
            dW = Elementwise.normaliseRowsBackward(output: wh, norms: wn, dWh, columns: d)
        }
        return Result(loss: total / Double(max(n, 1)), embeddings: dE, centers: dW, scales: dScale)
    }

    /// `F.normalize`: `x / max(||x||, 1e-12)`; the returned norms are the clamped ones, so
    /// that `normaliseRowsBackward` gives the gradient of this map.
    static func normalise(_ x: [T], columns: Int) -> (output: [T], norms: [T]) {
        var (y, norms) = Elementwise.normaliseRows(x, columns: columns)
        for r in norms.indices where Double(norms[r]) < 1e-12 {
            norms[r] = T(1e-12)
            for i in 0..<columns { y[r * columns + i] = T(Double(x[r * columns + i]) / 1e-12) }
        }
        return (y, norms)
    }
}

@inline(__always) func Foundation_cos(_ x: Double) -> Double { Double.cos(x) }
@inline(__always) func Foundation_sin(_ x: Double) -> Double { Double.sin(x) }
@inline(__always) func Foundation_log(_ x: Double) -> Double { Double.log(x) }
