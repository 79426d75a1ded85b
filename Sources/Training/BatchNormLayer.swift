import Backbone
/// BatchNorm1d over `x[N, C]` (row-major) with PyTorch's semantics: training mode normalises
/// with the batch mean and biased variance and updates the running statistics with momentum
/// 0.1 and the unbiased variance; eval mode uses the running statistics. eps = 1e-5.
/// `weight`/`bias` are nil when `affine=False`; `weightTrainable` is false for the iResNet
/// `features` layer, whose weight is fixed to 1 (docs/backbone.md).
public struct BatchNormLayer<T: TrainingScalar>: Sendable {
    public let channels: Int
    public var weight: [T]?
    public var bias: [T]?
    public var runningMean: [T]
    public var runningVar: [T]
    public var batchesTracked: Int = 0
    public var weightTrainable = true
    public var momentum: Double = 0.1
    public var eps: Double = 1e-5

    public init(channels: Int, affine: Bool) {
        self.channels = channels
        weight = affine ? [T](repeating: 1, count: channels) : nil
        bias = affine ? [T](repeating: 0, count: channels) : nil
        runningMean = [T](repeating: 0, count: channels)
        runningVar = [T](repeating: 1, count: channels)
    }

    /// What the backward pass needs from a training-mode forward pass.
    public struct Cache: Sendable {
        var normalised: [T]      // xhat[N, C]
        var inverseStd: [Double] // 1 / sqrt(var + eps) per channel
    }

    /// Training-mode forward pass; with `updateRunning` the running statistics advance.
    public mutating func forwardTraining(_ x: [T], rows: Int, updateRunning: Bool = true) -> (output: [T], cache: Cache) {
        let c = channels
        precondition(x.count == rows * c && rows > 1, "batch norm needs [N, \(channels)] with N > 1")
        var mean = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
        for r in 0..<rows { for j in 0..<c { mean[j] += Double(x[r * c + j]) } }
        for j in 0..<c { mean[j] /= Double(rows) }
        for r in 0..<rows { for j in 0..<c { let d = Double(x[r * c + j]) - mean[j]; sq[j] += d * d } }
        let variance = sq.map { $0 / Double(rows) }
        let inv = variance.map { 1 / ($0 + eps).squareRoot() }
        var xhat = [T](repeating: 0, count: rows * c), y = xhat
        for r in 0..<rows {
            for j in 0..<c {
                let h = (Double(x[r * c + j]) - mean[j]) * inv[j]
                xhat[r * c + j] = T(h)
                y[r * c + j] = T(h * Double(weight?[j] ?? 1) + Double(bias?[j] ?? 0))
            }
        }
        if updateRunning {
            for j in 0..<c {
                runningMean[j] = T((1 - momentum) * Double(runningMean[j]) + momentum * mean[j])
                runningVar[j] = T((1 - momentum) * Double(runningVar[j]) + momentum * sq[j] / Double(rows - 1))
            }
            batchesTracked += 1
        }
        return (y, Cache(normalised: xhat, inverseStd: inv))
    }

    public func forwardEval(_ x: [T], rows: Int) -> [T] {
        let c = channels
        var y = x
        for j in 0..<c {
            let s = Double(weight?[j] ?? 1) / (Double(runningVar[j]) + eps).squareRoot()
            let shift = Double(bias?[j] ?? 0) - Double(runningMean[j]) * s
            for r in 0..<rows { y[r * c + j] = T(Double(x[r * c + j]) * s + shift) }
        }
        return y
    }

    public struct Gradients: Sendable {
        public var weight: [T]?
        public var bias: [T]?
    }

    /// Backward pass of the training-mode forward pass:
    /// `dx = invstd / N * (N dxhat - sum(dxhat) - xhat * sum(dxhat xhat))`, `dxhat = dy * weight`.
    public func backward(_ dy: [T], cache: Cache, rows: Int) -> (input: [T], params: Gradients) {
        let c = channels, n = Double(rows)
        var sumDy = [Double](repeating: 0, count: c), sumDyXhat = sumDy
        for r in 0..<rows {
            for j in 0..<c {
                let g = Double(dy[r * c + j])
                sumDy[j] += g
                sumDyXhat[j] += g * Double(cache.normalised[r * c + j])
            }
        }
        var dx = [T](repeating: 0, count: rows * c)
        for j in 0..<c {
            let w = Double(weight?[j] ?? 1)
            let k = w * cache.inverseStd[j] / n
            for r in 0..<rows {
                let i = r * c + j
                dx[i] = T(k * (n * Double(dy[i]) - sumDy[j] - Double(cache.normalised[i]) * sumDyXhat[j]))
            }
        }
        let grads = Gradients(weight: weight == nil || !weightTrainable ? nil : sumDyXhat.map { T($0) },
                              bias: bias == nil ? nil : sumDy.map { T($0) })
        return (dx, grads)
    }
}
