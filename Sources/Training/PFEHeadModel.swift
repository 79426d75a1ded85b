import Core
import Checkpoint
import Backbone
/// The trainable PFE head (docs/backbone.md, "Networks": `PFEHead`): `x / ||x||` -> `fc1`
/// (Linear with bias) -> `bn1` (BatchNorm1d, affine) -> ReLU -> `fc2` (Linear with bias) ->
/// `bn2` (BatchNorm1d, affine=False) -> `gamma * x + beta` -> `log(1e-6 + exp(x))` =
/// `log sigma^2`. Inputs `[N, F]`, outputs `[N, out]`, row-major. gamma starts at 1e-4 and
/// beta at -7 as in the reference.
public struct PFEHeadModel<T: TrainingScalar>: Sendable {
    public var fc1: DenseLayer<T>
    public var bn1: BatchNormLayer<T>
    public var fc2: DenseLayer<T>
    public var bn2: BatchNormLayer<T>
    public var gamma: T = T(1e-4)
    public var beta: T = -7

    public init(inFeatures: Int, hidden: Int = 512, outFeatures: Int = 512, random: inout SplitMix64) {
        fc1 = DenseLayer(inFeatures: inFeatures, outFeatures: hidden, bias: true, random: &random)
        bn1 = BatchNormLayer(channels: hidden, affine: true)
        fc2 = DenseLayer(inFeatures: hidden, outFeatures: outFeatures, bias: true, random: &random)
        bn2 = BatchNormLayer(channels: outFeatures, affine: false)
    }

    public var inFeatures: Int { fc1.inFeatures }
    public var outFeatures: Int { fc2.outFeatures }

    public struct Cache: Sendable {
        var normalised: [T] = []
        var bn1: BatchNormLayer<T>.Cache?
        var preReLU: [T] = []
        var hidden: [T] = []
        var bn2: BatchNormLayer<T>.Cache?
        var preTail: [T] = []
    }

    public mutating func forwardTraining(_ x: [T], rows: Int) -> (output: [T], cache: Cache) {
        var cache = Cache()
        cache.normalised = Elementwise.normaliseRows(x, columns: inFeatures).output
        let (b1, c1) = bn1.forwardTraining(fc1.forward(cache.normalised, rows: rows), rows: rows)
        cache.bn1 = c1
        cache.preReLU = b1
        cache.hidden = Elementwise.relu(b1)
        let (b2, c2) = bn2.forwardTraining(fc2.forward(cache.hidden, rows: rows), rows: rows)
        cache.bn2 = c2
        cache.preTail = b2
        return (Elementwise.pfeTail(b2, gamma: gamma, beta: beta), cache)
    }

    public func forwardEval(_ x: [T], rows: Int) -> [T] {
        let h = Elementwise.normaliseRows(x, columns: inFeatures).output
        let a = Elementwise.relu(bn1.forwardEval(fc1.forward(h, rows: rows), rows: rows))
        return Elementwise.pfeTail(bn2.forwardEval(fc2.forward(a, rows: rows), rows: rows), gamma: gamma, beta: beta)
    }

    public struct Gradients: Sendable {
        public var fc1: DenseLayer<T>.Gradients
        public var bn1: BatchNormLayer<T>.Gradients
        public var fc2: DenseLayer<T>.Gradients
        public var gamma: T
        public var beta: T
    }

    /// Parameter gradients from `d log sigma^2 [N, out]` (the input is fixed).
    public func backward(_ dOutput: [T], cache: Cache, rows: Int) -> Gradients {
        var fc1Weight: [T] = []
        return backward(dOutput, cache: cache, rows: rows, fc1Weight: &fc1Weight)
    }

    /// As `backward`, computing fc1's (large) weight gradient into a reused buffer; the
    /// returned `fc1.weight` is that buffer.
    public func backward(_ dOutput: [T], cache: Cache, rows: Int, fc1Weight: inout [T]) -> Gradients {
        let tail = Elementwise.pfeTailBackward(cache.preTail, gamma: gamma, beta: beta, dOutput)
        let d2 = bn2.backward(tail.input, cache: cache.bn2!, rows: rows).input
        let (dHidden, g2) = fc2.backward(cache.hidden, d2, rows: rows)
        let (d1, gb1) = bn1.backward(Elementwise.reluBackward(cache.preReLU, dHidden), cache: cache.bn1!, rows: rows)
        let (_, b1) = fc1.backward(cache.normalised, d1, rows: rows, needInput: false, weightGradient: &fc1Weight)
        return Gradients(fc1: .init(weight: fc1Weight, bias: b1), bn1: gb1, fc2: g2, gamma: tail.gamma, beta: tail.beta)
    }

    public mutating func apply(_ g: Gradients, _ sgd: inout SGD) {
        sgd.step("fc1.weight", &fc1.weight, g.fc1.weight)
        sgd.step("fc1.bias", &fc1.bias!, g.fc1.bias!)
        sgd.step("bn1.weight", &bn1.weight!, g.bn1.weight!)
        sgd.step("bn1.bias", &bn1.bias!, g.bn1.bias!)
        sgd.step("fc2.weight", &fc2.weight, g.fc2.weight)
        sgd.step("fc2.bias", &fc2.bias!, g.fc2.bias!)
        sgd.step("gamma", &gamma, g.gamma)
        sgd.step("beta", &beta, g.beta)
    }

    /// Keys as the reference's `PFEHead` saves them: `fc1.weight`, `fc1.bias`, `bn1.*`,
    /// `fc2.*`, `bn2.*` (no affine parameters), `gamma`, `beta` (shape `[1]`).
    public func stateDict(source: String = "scaleface train-head") -> WeightSet {
        var w = WeightSet(source: source)
        for (name, l) in [("fc1", fc1), ("fc2", fc2)] {
            w.set("\(name).weight", Tensor(shape: [l.outFeatures, l.inFeatures], values: l.weight.map { Float($0) }))
            w.set("\(name).bias", Tensor(shape: [l.outFeatures], values: l.bias!.map { Float($0) }))
            if name == "fc1" { bn1.addRunningStatistics(to: &w, name: "bn1") }
        }
        bn2.addRunningStatistics(to: &w, name: "bn2")
        w.set("gamma", Tensor(shape: [1], values: [Float(gamma)]))
        w.set("beta", Tensor(shape: [1], values: [Float(beta)]))
        return w
    }
}
