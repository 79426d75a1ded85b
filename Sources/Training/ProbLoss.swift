import Backbone
/// The reference's `ProbLoss` (ProbFace; docs/training.md, Losses): `MLSLoss` + `lambdaC` x
/// `ProbConstraintLoss` + `lambdaID` x `ProbTripletLoss`, defaults m = 3, lambda_c = 0.1,
/// lambda_id = 0.1. `log_sigma` is `[N, K]` with `K = D` (PFE heads) or `K = 1` (ProbHead,
/// broadcast over the D embedding dimensions). Only d loss / d log_sigma is computed (the
/// embeddings come from the frozen backbone).
public struct ProbLoss: Sendable {
    public var margin = 3.0
    public var lambdaC = 0.1
    public var lambdaID = 0.1

    public init(margin: Double = 3, lambdaC: Double = 0.1, lambdaID: Double = 0.1) {
        self.margin = margin
        self.lambdaC = lambdaC
        self.lambdaID = lambdaID
    }

    public struct Result<T: TrainingScalar>: Sendable {
        public var loss: Double
        public var mls: Double
        public var constraint: Double
        public var triplet: Double
        /// d loss / d log_sigma `[N, K]`.
        public var logSigma: [T]
    }

    /// With `triplet: false` the triplet term is skipped (MLS + constraint, the `.mls` trainer loss).
    public func evaluate<T: TrainingScalar>(features: [T], logSigma: [T], labels: [Int], dimension d: Int,
                                            triplet withTriplet: Bool = true) -> Result<T> {
        let n = labels.count
        let mls = MLSLoss.evaluate(features: features, logSigma: logSigma, labels: labels, dimension: d)
        let constraint = ProbConstraintLoss.evaluate(logSigma: logSigma, rows: n)
        let triplet = withTriplet
            ? ProbTripletLoss.evaluate(features: features, logSigma: logSigma, labels: labels, dimension: d, margin: margin)
            : (loss: 0, logSigma: [T](repeating: 0, count: logSigma.count), entries: 0)
        let grad = (0..<logSigma.count).map {
            T(Double(mls.logSigma[$0]) + lambdaC * Double(constraint.logSigma[$0]) + lambdaID * Double(triplet.logSigma[$0]))
        }
        return Result(loss: mls.loss + lambdaC * constraint.loss + lambdaID * triplet.loss, mls: mls.loss,
                      constraint: constraint.loss, triplet: triplet.loss, logSigma: grad)
    }
}

/// The triplet term of `ProbLoss`: for every ordered pair `i != j` and dimension `d`,
/// `t_ijd = (mu_id - mu_jd)^2 / (1e-10 + s_ijd) + log(s_ijd)`, `s_ijd = sigma^2_id + sigma^2_jd`,
/// on the raw (not normalised) `mu`; same-label pairs enter as `max(0, t + m)`, different-label
/// pairs as `max(0, -t + m)`, and the loss is the mean over all `(P + N) * D` entries. At a tie
/// (argument exactly 0) the gradient is halved, as torch's two-tensor `max`. A batch of one row
/// has no pairs: loss 0 (torch would give NaN).
public enum ProbTripletLoss {
    public static func evaluate<T: TrainingScalar>(features mu: [T], logSigma: [T], labels: [Int], dimension d: Int, margin: Double)
        -> (loss: Double, logSigma: [T], entries: Int) {
        let n = labels.count, k = n == 0 ? 0 : logSigma.count / n
        precondition(mu.count == n * d && (k == d || k == 1), "ProbLoss triplet shapes disagree")
        let sigma = logSigma.map { Double.exp(Double($0)) }
        var grad = [Double](repeating: 0, count: n * k)
        var total = 0.0
        for i in 0..<n {
            for j in 0..<n where j != i {
                let sign: Double = labels[i] == labels[j] ? 1 : -1
                for t in 0..<d {
                    let a = i * k + (k == 1 ? 0 : t), b = j * k + (k == 1 ? 0 : t)
                    let sum = sigma[a] + sigma[b]
                    let diff = Double(mu[i * d + t]) - Double(mu[j * d + t])
                    let q = 1e-10 + sum
                    let h = sign * (diff * diff / q + Double.log(sum)) + margin
                    guard h >= 0 else { continue }
                    total += h
                    let slope = (h == 0 ? 0.5 : 1) * sign * (-diff * diff / (q * q) + 1 / sum)   // d h / d sigma^2
                    grad[a] += slope
                    grad[b] += slope
                }
            }
        }
        let entries = n * (n - 1) * d
        guard entries > 0 else { return (0, [T](repeating: 0, count: n * k), 0) }
        return (total / Double(entries), (0..<(n * k)).map { T(grad[$0] * sigma[$0] / Double(entries)) }, entries)
    }
}
