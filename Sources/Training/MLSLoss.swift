import Backbone
/// The PFE training losses of the reference (seed `MLSLoss`, `ProbConstraintLoss`).
///
/// `MLSLoss`: with `mu = F.normalize(feature)` and `sigma^2 = exp(log_sigma)`, every ordered
/// pair `(i, j)`, `i != j`, of the same label costs
/// `sum_d (mu_id - mu_jd)^2 / (1e-10 + sigma^2_id + sigma^2_jd) + log(sigma^2_id + sigma^2_jd)`
/// (that is `-MLS`), and the loss is the mean over those pairs. `log_sigma` is `[N, K]` with
/// `K = D` (per dimension) or `K = 1` (broadcast over the dimensions, as torch does).
/// The features come from the frozen backbone, so only d loss / d log_sigma is computed.
/// A batch without a positive pair has loss 0 and no gradient (torch would give NaN).
public enum MLSLoss {
    public static func evaluate<T: TrainingScalar>(features: [T], logSigma: [T], labels: [Int], dimension d: Int)
        -> (loss: Double, logSigma: [T], pairs: Int) {
        let n = labels.count, k = n == 0 ? 0 : logSigma.count / n
        precondition(features.count == n * d && (k == d || k == 1), "MLS loss shapes disagree")
        let mu = ArcFaceLoss<T>.normalise(features, columns: d).output
        let sigma = logSigma.map { Double.exp(Double($0)) }
        var grad = [Double](repeating: 0, count: n * k)
        var total = 0.0, pairs = 0
        // Same-label rows, found through a label -> rows map instead of all N^2 pairs.
        var groups: [Int: [Int]] = [:]
        for (i, y) in labels.enumerated() { groups[y, default: []].append(i) }
        for i in 0..<n {
            for j in groups[labels[i]]! where j != i {
                pairs += 1
                for t in 0..<d {
                    let a = i * k + (k == 1 ? 0 : t), b = j * k + (k == 1 ? 0 : t)
                    let sum = sigma[a] + sigma[b]
                    let diff = Double(mu[i * d + t]) - Double(mu[j * d + t])
                    let q = 1e-10 + sum
                    total += diff * diff / q + Double.log(sum)
                    // d/d sigma^2 of either member of the pair.
                    let g = -diff * diff / (q * q) + 1 / sum
                    grad[a] += g
                    grad[b] += g
                }
            }
        }
        guard pairs > 0 else { return (0, [T](repeating: 0, count: n * k), 0) }
        let out = (0..<(n * k)).map { T(grad[$0] * sigma[$0] / Double(pairs)) }
        return (total / Double(pairs), out, pairs)
    }
}

/// `ProbConstraintLoss`: `mean_i || log_sigma_i / mean_batch(log_sigma) - 1 ||_1` over
/// `log_sigma[N, K]`; the gradient uses sign(0) = 0 as torch's `abs` does.
public enum ProbConstraintLoss {
    public static func evaluate<T: TrainingScalar>(logSigma: [T], rows n: Int) -> (loss: Double, logSigma: [T]) {
        guard n > 0 else { return (0, []) }
        let k = logSigma.count / n
        var mean = [Double](repeating: 0, count: k)
        for i in 0..<n { for t in 0..<k { mean[t] += Double(logSigma[i * k + t]) } }
        for t in 0..<k { mean[t] /= Double(n) }
        var total = 0.0
        var sign = [Double](repeating: 0, count: n * k)
        var cross = [Double](repeating: 0, count: k)    // sum_i sign_it * log_sigma_it
        for i in 0..<n {
            for t in 0..<k {
                let v = Double(logSigma[i * k + t])
                let r = v / mean[t] - 1
                total += abs(r)
                sign[i * k + t] = r > 0 ? 1 : (r < 0 ? -1 : 0)
                cross[t] += sign[i * k + t] * v
            }
        }
        // d/d x_kt of (1/N) sum_i |x_it / m_t - 1| with m_t = mean_i x_it.
        var grad = [T](repeating: 0, count: n * k)
        for i in 0..<n {
            for t in 0..<k {
                let g = sign[i * k + t] / mean[t] - cross[t] / (mean[t] * mean[t] * Double(n))
                grad[i * k + t] = T(g / Double(n))
            }
        }
        return (total / Double(n), grad)
    }
}
