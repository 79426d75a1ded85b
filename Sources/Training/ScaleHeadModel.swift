import Core
import Checkpoint
import Backbone
/// The trainable ScaleFace scale predictor (docs/backbone.md, "Networks": `MLPHead`): for every
/// hidden width `Linear(no bias) -> BatchNorm1d(affine=False) -> ReLU` (no batch norm when
/// `batchNorm` is false), then `Linear(no bias)` and the output activation. Inputs are
/// bottleneck features `[N, F]`, outputs scales `[N, out]`, row-major.
public struct ScaleHeadModel<T: TrainingScalar>: Sendable {
    public var linears: [DenseLayer<T>]
    public var norms: [BatchNormLayer<T>]      // one per hidden layer, empty without batch norm
    public let activation: ScaleActivation
    public let coefficient: T

    /// `sizes` = `[F, hidden..., out]`, as the reference's `MLPHead` layer list.
    public init(sizes: [Int], batchNorm: Bool = true, activation: ScaleActivation = .exp,
                coefficient: T = 64, random: inout SplitMix64) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MLPHead sizes need an input and an output")
        linears = (0..<(sizes.count - 1)).map {
            DenseLayer(inFeatures: sizes[$0], outFeatures: sizes[$0 + 1], bias: false, random: &random)
        }
        norms = batchNorm ? sizes.dropFirst().dropLast().map { BatchNormLayer(channels: $0, affine: false) } : []
        self.activation = activation
        self.coefficient = coefficient
    }

    public var inFeatures: Int { linears[0].inFeatures }
    public var outFeatures: Int { linears[linears.count - 1].outFeatures }

    public struct Cache: Sendable {
        var inputs: [[T]] = []                     // input of each linear
        var normCaches: [BatchNormLayer<T>.Cache] = []
        var preActivation: [[T]] = []              // input of each ReLU
        var logits: [T] = []                       // input of the output activation
    }

    public mutating func forwardTraining(_ x: [T], rows: Int) -> (output: [T], cache: Cache) {
        var cache = Cache()
        var h = x
        for i in linears.indices {
            cache.inputs.append(h)
            h = linears[i].forward(h, rows: rows)
            if i < linears.count - 1 {
                if !norms.isEmpty {
                    let (y, c) = norms[i].forwardTraining(h, rows: rows)
                    cache.normCaches.append(c)
                    h = y
                }
                cache.preActivation.append(h)
                h = Elementwise.relu(h)
            }
        }
        cache.logits = h
        return (h.map { activation.forward($0, coefficient: coefficient) }, cache)
    }

    /// Eval mode (running statistics), as the saved head computes it.
    public func forwardEval(_ x: [T], rows: Int) -> [T] {
        var h = x
        for i in linears.indices {
            h = linears[i].forward(h, rows: rows)
            if i < linears.count - 1 {
                if !norms.isEmpty { h = norms[i].forwardEval(h, rows: rows) }
                h = Elementwise.relu(h)
            }
        }
        return h.map { activation.forward($0, coefficient: coefficient) }
    }

    public struct Gradients: Sendable {
        public var linears: [[T]]
    }

    /// Parameter gradients from `dOutput[N, out]` (the input is fixed: no gradient for it).
    public func backward(_ dOutput: [T], cache: Cache, rows: Int) -> Gradients {
        var g = Gradients(linears: [])
        backward(dOutput, cache: cache, rows: rows, into: &g)
        return g
    }

    /// As `backward`, reusing the arrays of `grads` (see `DenseLayer.backward`).
    public func backward(_ dOutput: [T], cache: Cache, rows: Int, into grads: inout Gradients) {
        var dh = zip(cache.logits, dOutput).map { activation.derivative($0, coefficient: coefficient) * $1 }
        if grads.linears.count != linears.count { grads.linears = [[T]](repeating: [], count: linears.count) }
        for i in linears.indices.reversed() {
            let (dx, _) = linears[i].backward(cache.inputs[i], dh, rows: rows, needInput: i > 0, weightGradient: &grads.linears[i])
            if i == 0 { break }
            dh = Elementwise.reluBackward(cache.preActivation[i - 1], dx)
            if !norms.isEmpty { dh = norms[i - 1].backward(dh, cache: cache.normCaches[i - 1], rows: rows).input }
        }
    }

    public mutating func apply(_ g: Gradients, _ sgd: inout SGD) {
        for i in linears.indices { sgd.step("mlp.linear\(i)", &linears[i].weight, g.linears[i]) }
    }

    /// The reference's state dict: `nn.Sequential` named `mlp` of Linear, BatchNorm1d, ReLU
    /// modules, so the keys are `mlp.0.weight`, `mlp.1.running_mean`, `mlp.1.running_var`,
    /// `mlp.1.num_batches_tracked`, `mlp.3.weight`, ... (`mlp.0.weight`, `mlp.2.weight`, ...
    /// without batch norm). `num_batches_tracked` is a 0-d tensor (an int64 in `.pth` files).
    public func stateDict(source: String = "scaleface train-head") -> WeightSet {
        var w = WeightSet(source: source)
        var index = 0
        for i in linears.indices {
            let l = linears[i]
            w.set("mlp.\(index).weight", Tensor(shape: [l.outFeatures, l.inFeatures], values: l.weight.map { Float($0) }))
            if i == linears.count - 1 { break }
            if norms.isEmpty {
                index += 2
            } else {
                norms[i].addRunningStatistics(to: &w, name: "mlp.\(index + 1)")
                index += 3
            }
        }
        return w
    }
}

extension BatchNormLayer {
    /// `weight`, `bias` (when affine), `running_mean`, `running_var`, `num_batches_tracked`.
    func addRunningStatistics(to w: inout WeightSet, name: String) {
        let c = [channels]
        if let weight { w.set("\(name).weight", Tensor(shape: c, values: weight.map { Float($0) })) }
        if let bias { w.set("\(name).bias", Tensor(shape: c, values: bias.map { Float($0) })) }
        w.set("\(name).running_mean", Tensor(shape: c, values: runningMean.map { Float($0) }))
        w.set("\(name).running_var", Tensor(shape: c, values: runningVar.map { Float($0) }))
        w.set("\(name).num_batches_tracked", Tensor(shape: [], values: [Float(batchesTracked)]))
    }
}
