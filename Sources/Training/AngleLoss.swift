import Backbone
/// SphereFace's angular linear layer followed by the reference's `AngleLoss` (A-Softmax,
/// arXiv 1704.08063; docs/training.md, Losses), as one loss against class centres.
///
/// Layer (`AngleLinear`, m = 4, `phiflag` true): `cos_ij` = `x_i . w_j / (||x_i|| ||w_j||)`
/// clamped to [-1, 1]; `phi_ij = (-1)^k T_m(cos_ij) - 2k` with the Chebyshev polynomial
/// `T_m(cos) = cos(m theta)` and `k = floor(m theta / 3.14159265)` from the detached angle (no
/// gradient through k); both are multiplied by `||x_i||`. The reference stores the weight as
/// `[D, C]` (columns renormalised to unit length); here the centres are `[C, D]`, its transpose.
///
/// Loss: with `lambda = max(5, 1500 / (1 + 0.1 it))`, the true-class logit is
/// `cos - cos / (1 + lambda) + phi / (1 + lambda)` (both times `||x||`), the others `cos ||x||`;
/// `-(1 - p_t)^gamma log p_t` with `p_t` detached, mean over the batch (gamma = 0: cross-entropy).
/// The caller owns the iteration counter (the reference increments it before every forward).
public struct AngleLoss<T: TrainingScalar>: Sendable {
    public var m: Int
    public var gamma: Double

    public init(m: Int = 4, gamma: Double = 0) {
        precondition((0...5).contains(m), "AngleLinear has cos(m theta) for m in 0...5")
        self.m = m
        self.gamma = gamma
    }

    /// `max(5, 1500 / (1 + 0.1 * it))`.
    public static func lambda(iteration it: Int) -> Double { max(5, 1500 / (1 + 0.1 * Double(it))) }

    /// `T_m(x)` and its derivative.
    func chebyshev(_ x: Double) -> (value: Double, slope: Double) {
        switch m {
        case 0: return (1, 0)
        case 1: return (x, 1)
        case 2: return (2 * x * x - 1, 4 * x)
        case 3: return (4 * x * x * x - 3 * x, 12 * x * x - 3)
        case 4: let x2 = x * x; return (8 * x2 * x2 - 8 * x2 + 1, 32 * x2 * x - 16 * x)
        default: let x2 = x * x; return (16 * x2 * x2 * x - 20 * x2 * x + 5 * x, 80 * x2 * x2 - 60 * x2 + 5)
        }
    }

    /// Loss and gradients for embeddings `[N, D]`, centres `[C, D]` and labels in `0..<C`, at
    /// iteration `it` (1 for the first batch).
    public func evaluate(embeddings x: [T], centers w: [T], labels: [Int], dimension d: Int, iteration it: Int,
                         centerGradient: Bool = true) -> ArcFaceLoss<T>.Result {
        let n = labels.count, c = d == 0 ? 0 : w.count / d
        precondition(x.count == n * d && w.count == c * d, "AngleLoss shapes disagree")
        let lambda = Self.lambda(iteration: it)
        let (xh, xlen) = ArcFaceLoss<T>.normalise(x, columns: d)
        let (wh, wn) = ArcFaceLoss<T>.normalise(w, columns: d)
        let cosine = MatMul.product(xh, wh, transB: true, m: n, n: c, k: d)   // [N, C], x^ . w^
        var dU = [T](repeating: 0, count: n * c)   // d loss / d (unclamped cosine)
        var dLength = [Double](repeating: 0, count: n)   // d loss / d ||x_i||
        var total = 0.0
        var logits = [Double](repeating: 0, count: c), f = logits, slope = logits
        for i in 0..<n {
            let y = labels[i], len = Double(xlen[i])
            precondition(y >= 0 && y < c, "label \(y) outside 0..<\(c)")
            var top = -Double.infinity
            for j in 0..<c {
                let raw = Double(cosine[i * c + j])
                let cs = min(1, max(-1, raw))
                let pass: Double = raw >= -1 && raw <= 1 ? 1 : 0   // torch's clamp passes the gradient at the bounds
                if j == y {
                    let k = (Double(m) * Double.acos(cs) / 3.14159265).rounded(.down)
                    let sign: Double = Int(k) % 2 == 0 ? 1 : -1
                    let (tm, dtm) = chebyshev(cs)
                    let phi = sign * tm - 2 * k
                    f[j] = cs - cs / (1 + lambda) + phi / (1 + lambda)
                    slope[j] = pass * (1 - 1 / (1 + lambda) + sign * dtm / (1 + lambda))
                } else {
                    f[j] = cs
                    slope[j] = pass
                }
                logits[j] = len * f[j]
                top = max(top, logits[j])
            }
            var sum = 0.0
            for j in 0..<c { logits[j] = Double.exp(logits[j] - top); sum += logits[j] }
            let logP = len * f[y] - top - Double.log(sum)
            // The detached focal weight (1 - p_t)^gamma; 1 for gamma = 0 as torch's 0 ** 0.
            let weight = gamma == 0 ? 1 : Double.exp(gamma * Double.log(1 - Double.exp(logP)))
            total -= weight * logP
            var dl = 0.0
            for j in 0..<c {
                let g = weight * (logits[j] / sum - (j == y ? 1 : 0)) / Double(n)   // d loss / d logit
                dl += g * f[j]
                dU[i * c + j] = T(g * len * slope[j])
            }
            dLength[i] = dl
        }
        // u_ij = x^_i . w^_j: d u / d x_i = (w^_j - u_ij x^_i) / ||x_i||, d u / d w^_j = x^_i.
        let s = MatMul.product(dU, wh, m: n, n: d, k: c)
        var dX = [T](repeating: 0, count: n * d)
        for i in 0..<n {
            var radial = 0.0
            for j in 0..<c { radial += Double(dU[i * c + j]) * Double(cosine[i * c + j]) }
            let len = max(Double(xlen[i]), 1e-12)
            for t in 0..<d {
                let e = Double(xh[i * d + t])
                dX[i * d + t] = T((Double(s[i * d + t]) - radial * e) / len + dLength[i] * e)
            }
        }
        var dW: [T] = []
        if centerGradient {
            let dWh = MatMul.product(dU, transA: true, xh, m: c, n: d, k: n)
            dW = Elementwise.normaliseRowsBackward(output: wh, norms: wn, dWh, columns: d)
        }
        return .init(loss: total / Double(max(n, 1)), embeddings: dX, centers: dW, scales: [])
    }
}
