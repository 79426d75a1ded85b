import Core
import Checkpoint
import Backbone
/// The trainable uncertainty heads of the reference that map bottleneck features to
/// `log sigma^2` (docs/training.md, "Models and their state-dict keys"); one chain
/// `[x / ||x||] -> fc1 -> bn1 (BatchNorm1d, affine) -> ReLU -> fc2 -> bn2 (affine=False) ->
/// gamma * x + beta -> log(1e-6 + exp(x))` in three variants:
/// - `.pfe` (`PFEHead`): input L2-normalised (no eps), `fc1` / `fc2` Linear with bias,
///   gamma 1e-4, beta -7; output width D (or 1).
/// - `.prob` (`ProbHead`, ProbFace): the input is not normalised, Linear with bias, output
///   width 1 (`bn2` has one channel), gamma 1e-4, beta -7.
/// - `.adjustable` (`PFEHeadAdjustable`): the input is not normalised, `fc1` / `fc2` are bare
///   `[out, in]` matrices without bias whose rows are L2-normalised at every forward
///   (`F.normalize`, eps 1e-12), initialised kaiming-normal (std sqrt(2 / in)), hidden width
///   = output width; gamma 1, beta 0.
/// Inputs `[N, F]`, outputs `[N, out]`, row-major.
public enum PFEHeadVariant: String, Sendable, CaseIterable {
    case pfe
    case prob
    case adjustable = "pfe-adjustable"
}

public struct PFEHeadModel<T: TrainingScalar>: Sendable {
    public typealias Variant = PFEHeadVariant

    public let variant: Variant
    public var fc1: DenseLayer<T>
    public var bn1: BatchNormLayer<T>
    public var fc2: DenseLayer<T>
    public var bn2: BatchNormLayer<T>
    public var gamma: T
    public var beta: T

    public init(inFeatures: Int, hidden: Int = 512, outFeatures: Int = 512, variant: Variant = .pfe, random: inout SplitMix64) {
        self.variant = variant
        switch variant {
        case .pfe, .prob:
            let out = variant == .prob ? 1 : outFeatures
            fc1 = DenseLayer(inFeatures: inFeatures, outFeatures: hidden, bias: true, random: &random)
            fc2 = DenseLayer(inFeatures: hidden, outFeatures: out, bias: true, random: &random)
            gamma = T(1e-4)
            beta = -7
        case .adjustable:
            // kaiming_normal_ (fan_in, gain sqrt 2); the hidden width is the output width.
            func kaiming(_ o: Int, _ i: Int) -> DenseLayer<T> {
                let std = (2 / Double(i)).squareRoot()
                return DenseLayer(weight: (0..<(o * i)).map { _ in T(random.normal() * std) }, bias: nil, inFeatures: i, outFeatures: o)
            }
            fc1 = kaiming(outFeatures, inFeatures)
            fc2 = kaiming(outFeatures, outFeatures)
            gamma = 1
            beta = 0
        }
        bn1 = BatchNormLayer(channels: fc1.outFeatures, affine: true)
        bn2 = BatchNormLayer(channels: fc2.outFeatures, affine: false)
    }

    public var inFeatures: Int { fc1.inFeatures }
    public var outFeatures: Int { fc2.outFeatures }

    public struct Cache: Sendable {
        var input: [T] = []
        var bn1: BatchNormLayer<T>.Cache?
        var preReLU: [T] = []
        var hidden: [T] = []
        var bn2: BatchNormLayer<T>.Cache?
        var preTail: [T] = []
        /// `.adjustable`: the row-normalised layers used in the forward pass and the row norms.
        var layers: (DenseLayer<T>, [T], DenseLayer<T>, [T])?
    }

    /// The layers as applied: `.adjustable` normalises the weight rows, the others use them as they are.
    func effectiveLayers() -> (fc1: DenseLayer<T>, norms1: [T], fc2: DenseLayer<T>, norms2: [T]) {
        guard variant == .adjustable else { return (fc1, [], fc2, []) }
        func rowNormalised(_ l: DenseLayer<T>) -> (DenseLayer<T>, [T]) {
            let (w, norms) = ArcFaceLoss<T>.normalise(l.weight, columns: l.inFeatures)
            return (DenseLayer(weight: w, bias: nil, inFeatures: l.inFeatures, outFeatures: l.outFeatures), norms)
        }
        let (a, na) = rowNormalised(fc1), (b, nb) = rowNormalised(fc2)
        return (a, na, b, nb)
    }

    func prepared(_ x: [T]) -> [T] {
        variant == .pfe ? Elementwise.normaliseRows(x, columns: inFeatures).output : x
    }

    public mutating func forwardTraining(_ x: [T], rows: Int) -> (output: [T], cache: Cache) {
        var cache = Cache()
        let layers = effectiveLayers()
        if variant == .adjustable { cache.layers = (layers.fc1, layers.norms1, layers.fc2, layers.norms2) }
        cache.input = prepared(x)
        let (b1, c1) = bn1.forwardTraining(layers.fc1.forward(cache.input, rows: rows), rows: rows)
        cache.bn1 = c1
        cache.preReLU = b1
        cache.hidden = Elementwise.relu(b1)
        let (b2, c2) = bn2.forwardTraining(layers.fc2.forward(cache.hidden, rows: rows), rows: rows)
        cache.bn2 = c2
        cache.preTail = b2
        return (Elementwise.pfeTail(b2, gamma: gamma, beta: beta), cache)
    }

    public func forwardEval(_ x: [T], rows: Int) -> [T] {
        let layers = effectiveLayers()
        let a = Elementwise.relu(bn1.forwardEval(layers.fc1.forward(prepared(x), rows: rows), rows: rows))
        return Elementwise.pfeTail(bn2.forwardEval(layers.fc2.forward(a, rows: rows), rows: rows), gamma: gamma, beta: beta)
    }

    public struct Gradients: Sendable {
        /// Gradients of the stored (for `.adjustable`: not normalised) weights; biases nil when absent.
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
        let (l1, n1, l2, n2) = cache.layers ?? (fc1, [], fc2, [])
        let tail = Elementwise.pfeTailBackward(cache.preTail, gamma: gamma, beta: beta, dOutput)
        let d2 = bn2.backward(tail.input, cache: cache.bn2!, rows: rows).input
        let (dHidden, second) = l2.backward(cache.hidden, d2, rows: rows)
        var g2 = second
        let (d1, gb1) = bn1.backward(Elementwise.reluBackward(cache.preReLU, dHidden), cache: cache.bn1!, rows: rows)
        let (_, b1) = l1.backward(cache.input, d1, rows: rows, needInput: false, weightGradient: &fc1Weight)
        if variant == .adjustable {
            // Through the row normalisation W -> W / ||W_k||.
            fc1Weight = Elementwise.normaliseRowsBackward(output: l1.weight, norms: n1, fc1Weight, columns: l1.inFeatures)
            g2.weight = Elementwise.normaliseRowsBackward(output: l2.weight, norms: n2, g2.weight, columns: l2.inFeatures)
        }
        return Gradients(fc1: .init(weight: fc1Weight, bias: b1), bn1: gb1, fc2: g2, gamma: tail.gamma, beta: tail.beta)
    }

    public mutating func apply(_ g: Gradients, _ sgd: inout SGD) {
        let (n1, n2) = names
        sgd.step(n1, &fc1.weight, g.fc1.weight)
        if let b = g.fc1.bias { sgd.step("fc1.bias", &fc1.bias!, b) }
        sgd.step("bn1.weight", &bn1.weight!, g.bn1.weight!)
        sgd.step("bn1.bias", &bn1.bias!, g.bn1.bias!)
        sgd.step(n2, &fc2.weight, g.fc2.weight)
        if let b = g.fc2.bias { sgd.step("fc2.bias", &fc2.bias!, b) }
        sgd.step("gamma", &gamma, g.gamma)
        sgd.step("beta", &beta, g.beta)
    }

    /// The state-dict names of the two weight matrices: bare `fc1` / `fc2` for `.adjustable`.
    var names: (String, String) { variant == .adjustable ? ("fc1", "fc2") : ("fc1.weight", "fc2.weight") }

    /// Keys as the reference saves them: `fc1.weight`, `fc1.bias`, `bn1.*`, `fc2.*`, `bn2.*` (no
    /// affine parameters), `gamma`, `beta` (shape `[1]`); `.adjustable` has bare `fc1` `[D, F]` and
    /// `fc2` `[D, D]` (the stored, not normalised, matrices) and no biases.
    public func stateDict(source: String = "scaleface train-head") -> WeightSet {
        var w = WeightSet(source: source)
        let (n1, n2) = names
        for (name, l) in [(n1, fc1), (n2, fc2)] {
            w.set(name, Tensor(shape: [l.outFeatures, l.inFeatures], values: l.weight.map { Float($0) }))
            let layer = name.hasPrefix("fc1") ? "fc1" : "fc2"
            if let b = l.bias { w.set("\(layer).bias", Tensor(shape: [l.outFeatures], values: b.map { Float($0) })) }
            if layer == "fc1" { bn1.addRunningStatistics(to: &w, name: "bn1") }
        }
        bn2.addRunningStatistics(to: &w, name: "bn2")
        w.set("gamma", Tensor(shape: [1], values: [Float(gamma)]))
        w.set("beta", Tensor(shape: [1], values: [Float(beta)]))
        return w
    }
}
