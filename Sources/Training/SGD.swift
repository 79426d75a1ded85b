import Backbone
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
        // Taken out of the dictionary so that the update does not copy the buffer.
        var buf = buffers.removeValue(forKey: name) ?? []
        let first = buf.isEmpty
        if first { buf = [Double](repeating: 0, count: p.count) }
        let lr = learningRate, wd = weightDecay, mom = first ? 0 : momentum
        buf.withUnsafeMutableBufferPointer { b in
            p.withUnsafeMutableBufferPointer { pp in
                grad.withUnsafeBufferPointer { g in
                    for i in 0..<pp.count {
                        let d = Double(g[i]) + wd * Double(pp[i])
                        b[i] = mom * b[i] + d
                        pp[i] = T(Double(pp[i]) - lr * b[i])
                    }
                }
            }
        }
        buffers[name] = buf
    }

    public mutating func step<T: TrainingScalar>(_ name: String, _ p: inout T, _ grad: T) {
        var a = [p]
        step(name, &a, [grad])
        p = a[0]
    }
}
