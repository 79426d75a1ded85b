import Core
import Backbone
/// A trainable fully connected layer, `y[N, out] = x[N, in] W^T + b`, with `weight` row-major
/// `[out, in]` as PyTorch stores it and an optional bias `[out]`.
public struct DenseLayer<T: TrainingScalar>: Sendable {
    public let inFeatures: Int
    public let outFeatures: Int
    public var weight: [T]
    public var bias: [T]?

    public init(weight: [T], bias: [T]?, inFeatures: Int, outFeatures: Int) {
        precondition(weight.count == inFeatures * outFeatures && (bias?.count ?? outFeatures) == outFeatures)
        self.weight = weight
        self.bias = bias
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// PyTorch's default `nn.Linear` initialisation: weight and bias uniform in
    /// `[-1/sqrt(in), 1/sqrt(in)]` (kaiming_uniform with a = sqrt(5) reduces to this bound).
    public init(inFeatures: Int, outFeatures: Int, bias: Bool, random: inout SplitMix64) {
        let bound = 1 / Double(inFeatures).squareRoot()
        func draw() -> T { T((2 * random.uniform() - 1) * bound) }
        self.init(weight: (0..<(inFeatures * outFeatures)).map { _ in draw() },
                  bias: bias ? (0..<outFeatures).map { _ in draw() } : nil,
                  inFeatures: inFeatures, outFeatures: outFeatures)
    }

    public func forward(_ x: [T], rows: Int) -> [T] {
        precondition(x.count == rows * inFeatures, "dense layer input is not [\(rows), \(inFeatures)]")
        var y = [T](repeating: 0, count: rows * outFeatures)
        if let bias {
            for r in 0..<rows { for o in 0..<outFeatures { y[r * outFeatures + o] = bias[o] } }
        }
        MatMul.accumulate(x, weight, transB: true, m: rows, n: outFeatures, k: inFeatures, into: &y, beta: 1)
        return y
    }

    public struct Gradients: Sendable {
        public var weight: [T]
        public var bias: [T]?
    }

    /// Gradients of the parameters and (if `needInput`) of the input `x`, given `dy[N, out]`.
    public func backward(_ x: [T], _ dy: [T], rows: Int, needInput: Bool = true) -> (input: [T], params: Gradients) {
        var dW: [T] = []
        let (dx, db) = backward(x, dy, rows: rows, needInput: needInput, weightGradient: &dW)
        return (dx, Gradients(weight: dW, bias: db))
    }

    /// As `backward`, writing the weight gradient into `weightGradient` (resized if needed),
    /// so that a training loop reuses one buffer instead of faulting in a fresh
    /// `[out, in]` array (51 MB for the paper's 25088 -> 512 layer) every batch.
    public func backward(_ x: [T], _ dy: [T], rows: Int, needInput: Bool, weightGradient dW: inout [T]) -> (input: [T], bias: [T]?) {
        // dW[out, in] = dy^T x; db = column sums of dy; dx[N, in] = dy W.
        if dW.count != outFeatures * inFeatures { dW = [T](repeating: 0, count: outFeatures * inFeatures) }
        MatMul.accumulate(dy, transA: true, x, m: outFeatures, n: inFeatures, k: rows, into: &dW, beta: 0)
        var db: [T]? = nil
        if bias != nil {
            var sums = [Double](repeating: 0, count: outFeatures)
            for r in 0..<rows { for o in 0..<outFeatures { sums[o] += Double(dy[r * outFeatures + o]) } }
            db = sums.map { T($0) }
        }
        let dx = needInput ? MatMul.product(dy, weight, m: rows, n: inFeatures, k: outFeatures) : []
        return (dx, db)
    }
}
