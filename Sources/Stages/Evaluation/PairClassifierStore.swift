import Backbone
import Checkpoint
import Core
import Foundation
import Store

/// The pair classifier of the `classifier` strategy kept inside an embedding store
/// (docs/store.md, "The pair classifier"): group `/pair_classifier` with string attributes
/// `kind` (`smart_cosine`, `bilinear` or `mlp`) and `source` (the checkpoint it came from), and
/// one float32 dataset per state-dict tensor, `/pair_classifier/<name>` (`fc1.weight`,
/// `hidden.0.bias`, ...), with the tensor's shape. Sizes are bounded by `StoreTensorGroup`.
public enum PairClassifierStore {
    public static let group = "pair_classifier"

    /// The group for `weights` (the classifier's tensors under their state-dict names).
    static func tensorGroup(_ weights: WeightSet, kind: String, source: String) -> StoreTensorGroup {
        StoreTensorGroup(attributes: ["kind": kind, "source": source],
                         tensors: weights.names.compactMap { n in
                             let t = weights[n]!
                             return t.shape.isEmpty ? nil : .init(name: n, shape: t.shape, values: t.values)
                         })
    }

    /// The classifier kept in the store at `path`, or nil when it has none. Its tensors must
    /// form the classifier its `kind` names.
    public static func load(store path: String) throws -> PairClassifier? {
        guard let g = try StoreTensorGroup.read(store: path, name: group, attributeKeys: ["kind", "source"]) else { return nil }
        var weights = WeightSet(source: "\(path):/\(group)")
        for t in g.tensors { weights.set(t.name, Tensor(shape: t.shape, values: t.values)) }
        let classifier: PairClassifier
        do {
            classifier = try PairClassifier(weights: weights)
        } catch let e as CheckpointError {
            throw InputError(file: path, "/\(group): \(e.message)")
        }
        let kind = g.attributes["kind"]!
        guard classifier.kind == kind else {
            throw InputError(file: path, "/\(group) has kind '\(kind)' but its tensors are a \(classifier.kind) classifier")
        }
        return classifier
    }
}
