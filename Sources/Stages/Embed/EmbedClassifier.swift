import Backbone
import Checkpoint
import Core
import Foundation
import Store

/// The `classifier` strategy of `embed` (docs/store.md, "The pair classifier"): it computes
/// nothing per image; the pair classifier's weights are kept in the store's `/pair_classifier`
/// group so that `reject` and `fusion` on that store need no checkpoint. The weights come from
/// `--pair-classifier`, else from the embed checkpoint's `pair_classifier` section (the
/// reference's classifier checkpoints hold backbone, head and pair_classifier together).
struct EmbedClassifier {
    /// The classifier's tensors under their state-dict names (without the section prefix).
    let weights: WeightSet
    let kind: String
    let source: String

    /// nil when the strategy is not requested; checked before anything is embedded.
    static func load(_ options: EmbedOptions, embeddingSize: Int) throws -> EmbedClassifier? {
        guard options.strategies.items.contains(.classifier) else {
            if let p = options.pairClassifier {
                throw InputError(file: p.path, "a pair classifier is kept only with --strategies ...,classifier")
            }
            return nil
        }
        let path = options.pairClassifier?.path ?? options.checkpoint.path
        let all = try WeightsFile.load(path: path)
        if options.pairClassifier == nil && !all.hasSection(PairClassifierStore.group) {
            throw InputError(file: path, "strategy 'classifier' needs a 'pair_classifier' section in the checkpoint, or --pair-classifier CKPT")
        }
        let classifier = try PairClassifier(weights: all)
        guard classifier.dimension == embeddingSize else {
            throw InputError(file: path, "the \(classifier.kind) pair classifier takes \(classifier.dimension)-d embeddings but the backbone gives \(embeddingSize)-d")
        }
        let weights = all.hasSection(PairClassifierStore.group) ? all.section(PairClassifierStore.group) : all
        return EmbedClassifier(weights: weights, kind: classifier.kind, source: URL(fileURLWithPath: path).lastPathComponent)
    }

    /// Writes the group into the partial store, before it is finished.
    func write(into writer: EmbeddingStoreWriter) throws {
        let group = PairClassifierStore.tensorGroup(weights, kind: kind, source: source)
        try writer.writeExtra { root in
            try group.write(into: root, name: PairClassifierStore.group, path: writer.partialPath)
        }
    }
}

extension EmbedOptions {
    /// The strategies with per-image values (`/uncertainty/<name>`): all but `classifier`.
    var perImageStrategies: [EmbedStrategy] { strategies.items.filter { $0 != .classifier } }
}
