import Core
import Training
import Checkpoint
import Backbone
import Foundation
import Store

/// What the trainers read from a store: bottleneck features `[N, F]`, embeddings `[N, D]`
/// (both row-major Float) and the labels mapped to class indices in ascending label order.
public struct TrainingData {
    public var features: [Float]
    public var featureWidth: Int
    public var embeddings: [Float]
    public var dimension: Int
    public var classes: ClassIndex
    public var count: Int { classes.labels.count }

    public init(features: [Float], featureWidth: Int, embeddings: [Float], dimension: Int, labels: [Int64]) {
        self.features = features
        self.featureWidth = featureWidth
        self.embeddings = embeddings
        self.dimension = dimension
        self.classes = ClassIndex(labels)
    }

    /// Reads `/bottleneck`, `/embeddings` and `/images/label` of a complete store; with
    /// `subset` (a list file of image keys, e.g. a train split), only those images. Without
    /// `bottleneck` (pair classifiers train on embeddings) `/bottleneck` is neither needed nor
    /// read: `features` is empty and `featureWidth` 0.
    public static func read(store path: String, subset: String? = nil, bottleneck: Bool = true) throws -> TrainingData {
        let store = try EmbeddingStore.open(path)
        let width: Int, features: [Float]
        if bottleneck {
            guard let w = store.bottleneck?.width, let f = try store.bottleneckFeatures() else {
                throw InputError(file: path, "store has no /bottleneck (training needs the stored bottleneck features; embed with bottleneck output)")
            }
            (width, features) = (w, f)
        } else {
            (width, features) = (0, [])
        }
        guard let labels = try store.labels() else {
            throw InputError(file: path, "store has no /images/label (training needs an integer identity label per image)")
        }
        guard store.count >= 2 else { throw InputError(file: path, "store holds \(store.count) image(s), training needs at least 2") }
        let embeddings = try store.embeddings()
        guard let subset else {
            return TrainingData(features: features, featureWidth: width, embeddings: embeddings,
                                dimension: store.dimension, labels: labels)
        }
        var row: [String: Int] = [:]
        for (i, p) in try store.paths().enumerated() { row[p] = i }
        let rows = try readPathList(subset).map { key -> Int in
            guard let r = row[key] else { throw InputError(file: subset, "image '\(key)' is not in the store \(path)") }
            return r
        }
        guard rows.count >= 2 else { throw InputError(file: subset, "lists \(rows.count) image(s), training needs at least 2") }
        let d = store.dimension
        return TrainingData(features: rows.flatMap { features[($0 * width)..<(($0 + 1) * width)] }, featureWidth: width,
                            embeddings: rows.flatMap { embeddings[($0 * d)..<(($0 + 1) * d)] }, dimension: d,
                            labels: rows.map { labels[$0] })
    }
}

/// Class centres `[C, D]` from a checkpoint or weights file: the tensor `centers` (as
/// `train-head` saves them) or, failing that, the only 2-D tensor; `[D, C]` is transposed.
/// Rows are classes in ascending label order, as `ClassIndex` numbers them.
public enum CenterFile {
    public static func load(path: String, classes: Int, dimension: Int) throws -> [Float] {
        let weights = try WeightsFile.load(path: path)
        let name: String
        if weights["centers"] != nil {
            name = "centers"
        } else {
            let matrices = weights.names.filter { weights[$0]!.shape.count == 2 }
            guard matrices.count == 1 else {
                throw InputError(file: path, "has no tensor 'centers' and \(matrices.count) 2-D tensors; expected the class centres [\(classes), \(dimension)]")
            }
            name = matrices[0]
        }
        let t = weights[name]!
        if t.shape == [classes, dimension] { return t.values }
        if t.shape == [dimension, classes] {
            var out = [Float](repeating: 0, count: classes * dimension)
            for r in 0..<dimension { for c in 0..<classes { out[c * dimension + r] = t.values[r * classes + c] } }
            return out
        }
        throw InputError(file: path, "tensor '\(name)' is \(t.shape), expected the class centres [\(classes), \(dimension)] (classes of the store x embedding size)")
    }
}
