import Core
import Checkpoint
/// SGD settings shared by the trainers. Every epoch visits the rows in a fresh order drawn
/// from `seed`, so a run is reproducible for a seed (and a thread count of OpenBLAS).
public struct TrainingSchedule: Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var momentum: Double
    public var weightDecay: Double
    public var seed: UInt64

    public init(epochs: Int, batchSize: Int, learningRate: Double, momentum: Double = 0.9,
                weightDecay: Double = 5e-4, seed: UInt64 = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.seed = seed
    }

    var optimizer: SGD { SGD(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay) }
}

/// Where a trainer is, for progress reports: 1-based epoch and batch, the mean loss of the
/// epoch's batches so far, and which phase (`centers` before `head` when centres are fitted).
public struct TrainingStep: Sendable {
    public var phase: String
    public var epoch: Int
    public var epochs: Int
    public var batch: Int
    public var batches: Int
    public var meanLoss: Double
}

public typealias TrainingProgress = (TrainingStep) -> Void

/// What a trainer returns: the trained parameters as a state dict under the reference's key
/// names, the mean training loss of every epoch, and the trained model's eval-mode outputs
/// for every input row (`[N, outputWidth]`, row-major) as the saved weights reproduce them.
public struct TrainedModel: Sendable {
    public var weights: WeightSet
    public var lossPerEpoch: [Double]
    public var outputs: [Float]
    public var outputWidth: Int
    /// Class centres `[C, D]` (fitted or trained ones; nil when they were given and fixed).
    public var centers: Tensor?
    public var centerLossPerEpoch: [Double] = []
}

/// Integer labels mapped to class indices `0..<C` in ascending label order.
public struct ClassIndex: Sendable {
    public let labels: [Int]
    public let classLabels: [Int64]
    public var classes: Int { classLabels.count }

    public init(_ raw: [Int64]) {
        classLabels = Array(Set(raw)).sorted()
        var index: [Int64: Int] = [:]
        for (i, l) in classLabels.enumerated() { index[l] = i }
        labels = raw.map { index[$0]! }
    }
}

/// Minibatch orders (lists of row indices).
public enum Minibatches {
    /// All rows in a random order, cut into batches of `size`; a last batch of one row is
    /// dropped because batch norm needs two rows.
    public static func shuffled(count: Int, size: Int, random: inout SplitMix64) -> [[Int]] {
        var order = Array(0..<count)
        random.shuffle(&order)
        return stride(from: 0, to: count, by: max(1, size)).compactMap {
            let b = Array(order[$0..<min(count, $0 + size)])
            return b.count >= 2 ? b : nil
        }
    }

    /// P identities x K images per batch (`P = size / K`): every identity's images are
    /// shuffled and cut into groups of K (a last group of 2..K-1 images is kept, a single
    /// image is dropped: it has no positive pair), the groups are shuffled and P consecutive
    /// groups form a batch. Every batch therefore holds positive pairs for the MLS loss.
    public static func identityBalanced(labels: [Int], imagesPerIdentity k: Int, size: Int,
                                        random: inout SplitMix64) -> [[Int]] {
        var rows: [Int: [Int]] = [:]
        for (i, y) in labels.enumerated() { rows[y, default: []].append(i) }
        var groups: [[Int]] = []
        for y in rows.keys.sorted() {
            var r = rows[y]!
            random.shuffle(&r)
            for s in stride(from: 0, to: r.count, by: max(2, k)) {
                let g = Array(r[s..<min(r.count, s + max(2, k))])
                if g.count >= 2 { groups.append(g) }
            }
        }
        random.shuffle(&groups)
        let perBatch = max(1, size / max(2, k))
        return stride(from: 0, to: groups.count, by: perBatch).map {
            groups[$0..<min(groups.count, $0 + perBatch)].flatMap { $0 }
        }.filter { $0.count >= 2 }
    }

    /// Rows `indices` of a row-major `[N, width]` array.
    public static func gather<T>(_ x: [T], width: Int, _ indices: [Int]) -> [T] {
        var out = [T]()
        out.reserveCapacity(indices.count * width)
        for i in indices { out += x[(i * width)..<((i + 1) * width)] }
        return out
    }
}

/// Runs `body` on row ranges of at most `chunk` rows and concatenates the results (eval-mode
/// outputs for a whole data set without holding every activation at once).
func inChunks<T>(rows: Int, chunk: Int = 1024, _ body: (Range<Int>) -> [T]) -> [T] {
    var out = [T]()
    for s in stride(from: 0, to: rows, by: chunk) { out += body(s..<min(rows, s + chunk)) }
    return out
}
