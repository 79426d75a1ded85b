import Core
import Checkpoint
import Backbone
/// The trainable pair classifiers of the reference (docs/training.md, Pair classifier
/// training; the inference side is `Backbone.PairClassifier`): two logits of the pair
/// `x1 = left`, `x2 = right` (D floats each), column 1 meaning "same identity".
/// - `smart_cosine` (`SmartCosine`): `z = (x1 ⊙ x2) W1ᵀ + b1`, `fc1.weight` `[2, D]`, `fc1.bias` `[2]`;
///   `smart_cosine_initialized`: no bias, row 0 of `W1` starts at -1 and row 1 at +1.
/// - `bilinear` (`torch.nn.Bilinear(D, D, 2)`): `z_k = x1ᵀ W_k x2 + b_k`, `fc.weight` `[2, D, D]`,
///   `fc.bias` `[2]`.
/// - `mlp` (`MLP`): Linear layers `hidden.{i}` on `[x1 ‖ x2]` with ReLU after all but the last
///   (2 outputs).
/// Initialisation as PyTorch's defaults: Linear and Bilinear uniform in `±1/sqrt(in)` (Bilinear:
/// `in` = D).
public enum PairClassifierKind: String, Sendable, CaseIterable {
    case smartCosine = "smart_cosine"
    case smartCosineInitialized = "smart_cosine_initialized"
    case bilinear
    case mlp
}

public struct PairClassifierModel<T: TrainingScalar>: Sendable {
    public typealias Kind = PairClassifierKind

    public let kind: Kind
    public let dimension: Int
    /// SmartCosine: one layer D -> 2; MLP: the `hidden.{i}` chain; Bilinear: empty.
    public var layers: [DenseLayer<T>]
    /// Bilinear only: `[2, D, D]` (`[k][i][j]`) and `[2]`.
    public var bilinearWeight: [T] = []
    public var bilinearBias: [T] = []

    public init(kind: Kind, dimension d: Int, hidden: [Int] = [512, 128], random: inout SplitMix64) {
        self.kind = kind
        dimension = d
        switch kind {
        case .smartCosine:
            layers = [DenseLayer(inFeatures: d, outFeatures: 2, bias: true, random: &random)]
        case .smartCosineInitialized:
            layers = [DenseLayer(weight: [T](repeating: -1, count: d) + [T](repeating: 1, count: d), bias: nil,
                                 inFeatures: d, outFeatures: 2)]
        case .bilinear:
            layers = []
            let bound = 1 / Double(d).squareRoot()
            bilinearWeight = (0..<(2 * d * d)).map { _ in T((2 * random.uniform() - 1) * bound) }
            bilinearBias = (0..<2).map { _ in T((2 * random.uniform() - 1) * bound) }
        case .mlp:
            let widths = [2 * d] + hidden + [2]
            layers = (0..<(widths.count - 1)).map {
                DenseLayer(inFeatures: widths[$0], outFeatures: widths[$0 + 1], bias: true, random: &random)
            }
        }
    }

    public struct Cache: Sendable {
        var left: [T]
        var right: [T]
        /// Inputs of each dense layer, and the pre-ReLU outputs of all but the last.
        var inputs: [[T]] = []
        var preReLU: [[T]] = []
    }

    /// Logits `[P, 2]` for `left[P, D]`, `right[P, D]`.
    public func forward(left: [T], right: [T], pairs p: Int) -> (logits: [T], cache: Cache) {
        let d = dimension
        precondition(left.count == p * d && right.count == p * d, "pair classifier input is not [\(p), \(d)] twice")
        var cache = Cache(left: left, right: right)
        switch kind {
        case .bilinear:
            var z = [T](repeating: 0, count: 2 * p)
            for k in 0..<2 {
                let wk = Array(bilinearWeight[(k * d * d)..<((k + 1) * d * d)])
                let v = MatMul.product(right, wk, transB: true, m: p, n: d, k: d)   // (W_k x2)_i per pair
                for r in 0..<p {
                    var s = Double(bilinearBias[k])
                    for i in 0..<d { s += Double(left[r * d + i]) * Double(v[r * d + i]) }
                    z[2 * r + k] = T(s)
                }
            }
            return (z, cache)
        case .smartCosine, .smartCosineInitialized:
            let h = zip(left, right).map { $0 * $1 }
            cache.inputs = [h]
            return (layers[0].forward(h, rows: p), cache)
        case .mlp:
            var h = [T](repeating: 0, count: p * 2 * d)
            for r in 0..<p {
                for i in 0..<d { h[r * 2 * d + i] = left[r * d + i]; h[r * 2 * d + d + i] = right[r * d + i] }
            }
            for (i, layer) in layers.enumerated() {
                cache.inputs.append(h)
                h = layer.forward(h, rows: p)
                if i < layers.count - 1 { cache.preReLU.append(h); h = Elementwise.relu(h) }
            }
            return (h, cache)
        }
    }

    public struct Gradients: Sendable {
        public var layers: [DenseLayer<T>.Gradients]
        public var bilinearWeight: [T]
        public var bilinearBias: [T]
    }

    /// Parameter gradients from `d loss / d logits [P, 2]`.
    public func backward(_ dz: [T], cache: Cache, pairs p: Int) -> Gradients {
        let d = dimension
        switch kind {
        case .bilinear:
            // dW_kij = sum_p dz_pk x1_pi x2_pj; db_k = sum_p dz_pk.
            var dW = [T](), db = [T]()
            for k in 0..<2 {
                var scaled = cache.left
                var sum = 0.0
                for r in 0..<p {
                    sum += Double(dz[2 * r + k])
                    for i in 0..<d { scaled[r * d + i] *= dz[2 * r + k] }
                }
                dW += MatMul.product(scaled, transA: true, cache.right, m: d, n: d, k: p)
                db.append(T(sum))
            }
            return Gradients(layers: [], bilinearWeight: dW, bilinearBias: db)
        case .smartCosine, .smartCosineInitialized:
            let g = layers[0].backward(cache.inputs[0], dz, rows: p, needInput: false).params
            return Gradients(layers: [g], bilinearWeight: [], bilinearBias: [])
        case .mlp:
            var grads = [DenseLayer<T>.Gradients]()
            var dy = dz
            for i in stride(from: layers.count - 1, through: 0, by: -1) {
                let (dx, g) = layers[i].backward(cache.inputs[i], dy, rows: p, needInput: i > 0)
                grads.insert(g, at: 0)
                if i > 0 { dy = Elementwise.reluBackward(cache.preReLU[i - 1], dx) }
            }
            return Gradients(layers: grads, bilinearWeight: [], bilinearBias: [])
        }
    }

    /// Layer `i`'s state-dict prefix: `fc1` (SmartCosine) or `hidden.{i}` (MLP).
    func prefix(_ i: Int) -> String { kind == .mlp ? "hidden.\(i)" : "fc1" }

    public mutating func apply(_ g: Gradients, _ sgd: inout SGD) {
        if kind == .bilinear {
            sgd.step("fc.weight", &bilinearWeight, g.bilinearWeight)
            sgd.step("fc.bias", &bilinearBias, g.bilinearBias)
        }
        for i in layers.indices {
            sgd.step("\(prefix(i)).weight", &layers[i].weight, g.layers[i].weight)
            if let b = g.layers[i].bias { sgd.step("\(prefix(i)).bias", &layers[i].bias!, b) }
        }
    }

    /// The reference's state dict: `fc1.weight` `[2, D]` (+ `fc1.bias`), `fc.weight` `[2, D, D]` +
    /// `fc.bias`, or `hidden.{i}.weight` / `.bias`; what `PairClassifier(weights:)` loads.
    public func stateDict(source: String = "scaleface train-head") -> WeightSet {
        var w = WeightSet(source: source)
        if kind == .bilinear {
            w.set("fc.weight", Tensor(shape: [2, dimension, dimension], values: bilinearWeight.map { Float($0) }))
            w.set("fc.bias", Tensor(shape: [2], values: bilinearBias.map { Float($0) }))
        }
        for (i, l) in layers.enumerated() {
            w.set("\(prefix(i)).weight", Tensor(shape: [l.outFeatures, l.inFeatures], values: l.weight.map { Float($0) }))
            if let b = l.bias { w.set("\(prefix(i)).bias", Tensor(shape: [l.outFeatures], values: b.map { Float($0) })) }
        }
        return w
    }
}

/// `torch.nn.CrossEntropyLoss` (batch mean) on two-class logits `[P, 2]` with labels 0 / 1;
/// the reference applies it to `log_softmax(z)`, which gives the same loss and gradient as on `z`.
public enum PairCrossEntropy {
    public static func evaluate<T: TrainingScalar>(logits z: [T], labels: [Int]) -> (loss: Double, logits: [T]) {
        let p = labels.count
        precondition(z.count == 2 * p, "pair logits are not [\(p), 2]")
        var total = 0.0
        var dz = [T](repeating: 0, count: 2 * p)
        for r in 0..<p {
            let a = Double(z[2 * r]), b = Double(z[2 * r + 1]), top = max(a, b)
            let lse = top + Double.log(Double.exp(a - top) + Double.exp(b - top))
            total += lse - (labels[r] == 1 ? b : a)
            let p1 = Double.exp(b - lse)
            dz[2 * r] = T(((1 - p1) - (labels[r] == 0 ? 1 : 0)) / Double(p))
            dz[2 * r + 1] = T((p1 - (labels[r] == 1 ? 1 : 0)) / Double(p))
        }
        return (p == 0 ? 0 : total / Double(p), dz)
    }
}
