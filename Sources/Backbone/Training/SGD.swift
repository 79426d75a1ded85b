/// Stochastic gradient descent with momentum and weight decay, PyTorch's `torch.optim.SGD`
/// (no dampening, no Nesterov): `d = grad + wd * p`; `buf = momentum * buf + d` (`buf = d`
/// on the first step); `p -= lr * buf`. Momentum buffers are kept in Double per parameter name.
public struct SGD: Sendable {
    public var learningRate: Double
    public var momentum: Double
    public var weightDecay: Double
    private var buffers: [String: [Double]] = [:]

    public init(learningRate: Double, momentum: Double = 0.9, weightDecay: Double = 5e-4) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public mutating func step<T: TrainingScalar>(_ name: String, _ p: inout [T], _ grad: [T]) {
        precondition(p.count == grad.count, "gradient of \(name) has \(grad.count) values for \(p.count) parameters")
        var buf = buffers[name]
        let first = buf == nil
        if first { buf = [Double](repeating: 0, count: p.count) }
        for i in p.indices {
            let d = Double(grad[i]) + weightDecay * Double(p[i])
            buf![i] = first ? d : momentum * buf![i] + d
            p[i] = T(Double(p[i]) - learningRate * buf![i])
        }
        buffers[name] = buf
    }

    public mutating func step<T: TrainingScalar>(_ name: String, _ p: inout T, _ grad: T) {
        var a = [p]
        step(name, &a, [grad])
        p = a[0]
    }
}
