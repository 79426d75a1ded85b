import Backbone
import Checkpoint
import Core
import Foundation

/// What a checkpoint must hold for a config, as the reference's strict `load_state_dict` demands
/// (docs/model-configs.md, "Checks against the checkpoint").
extension ReferenceModelConfig.HeadSection {
    /// The state dict of the head the reference builds: name -> shape (`num_batches_tracked` left out).
    public var stateDictShapes: [(name: String, shape: [Int])] {
        let i = inFeatures, h = kind == .pfe || kind == .prob ? inFeat : outFeat, o = outFeatures
        let bn1 = ["weight", "bias", "running_mean", "running_var"].map { ("bn1.\($0)", [h]) }
        let tail = [("bn2.running_mean", [o]), ("bn2.running_var", [o]), ("gamma", [1]), ("beta", [1])]
        switch kind {
        case .pfeAdjustable:
            return [("fc1", [h, i])] + bn1 + [("fc2", [o, h])] + tail
        case .pfeAdjustableSpectral:
            return [("fc1.weight_orig", [h, i]), ("fc1.weight_u", [h]), ("fc1.weight_v", [i])] + bn1
                + [("fc2.weight_orig", [o, h]), ("fc2.weight_u", [o]), ("fc2.weight_v", [h])] + tail
        case .pfe, .prob:
            return [("fc1.weight", [h, i]), ("fc1.bias", [h])] + bn1 + [("fc2.weight", [o, h]), ("fc2.bias", [o])] + tail
        }
    }
}

extension ReferenceModelConfig.ScalePredictorSection {
    /// The state dict of `MLPHead(num_feats, batch_norm)`: the `nn.Sequential` `mlp` numbers Linear,
    /// BatchNorm1d (when batch_norm) and ReLU modules in turn; only Linear and BatchNorm hold tensors.
    public var stateDictShapes: [(name: String, shape: [Int])] {
        var out: [(String, [Int])] = []
        var index = 0
        for k in 1..<numFeats.count {
            out.append(("mlp.\(index).weight", [numFeats[k], numFeats[k - 1]]))
            index += 1
            guard k < numFeats.count - 1 else { break }
            if batchNorm {
                out += [("mlp.\(index).running_mean", [numFeats[k]]), ("mlp.\(index).running_var", [numFeats[k]])]
                index += 1
            }
            index += 1  // ReLU
        }
        return out
    }
}

extension ReferenceModelConfig {
    /// Compares a checkpoint section with the tensors `expected` names, as a strict
    /// `load_state_dict` does: missing and unexpected names and shape mismatches, in one line.
    /// `num_batches_tracked` counters are optional (scaleface's weights files leave them out).
    static func checkStateDict(_ expected: [(name: String, shape: [Int])], _ weights: WeightSet,
                               checkpoint: String, section: String, config: String) throws {
        let held = weights.names.filter { !$0.hasSuffix("num_batches_tracked") }
        let names = Set(expected.map(\.name))
        var problems: [String] = []
        let missing = expected.map(\.name).filter { weights[$0] == nil }
        if !missing.isEmpty { problems.append("missing \(missing.prefix(4).joined(separator: ", "))\(missing.count > 4 ? ", ..." : "")") }
        let unexpected = held.filter { !names.contains($0) }
        if !unexpected.isEmpty { problems.append("unexpected \(unexpected.prefix(4).joined(separator: ", "))\(unexpected.count > 4 ? ", ..." : "")") }
        for (name, shape) in expected {
            if let t = weights[name], t.shape != shape { problems.append("\(name) has shape \(t.shape), the config needs \(shape)") }
        }
        guard problems.isEmpty else {
            throw InputError(file: checkpoint, "section '\(section)' does not match \(config): \(problems.prefix(3).joined(separator: "; "))")
        }
    }

    /// The checkpoint's scale predictor against `scale_predictor` (layer count, widths, batch norm).
    public func checkScalePredictor(_ found: UncertaintyHeads.Found) throws {
        guard let s = scalePredictor else { return }
        let layers = found.weights.names.filter { $0.hasSuffix(".weight") && found.weights[$0]?.shape.count == 2 }.count
        let what = "scale_predictor of \(path) (num_feats \(s.numFeats): \(s.linearLayers) linear layer\(s.linearLayers == 1 ? "" : "s"), batch_norm \(s.batchNorm); the checkpoint has \(layers))"
        try Self.checkStateDict(s.stateDictShapes, found.weights, checkpoint: found.path, section: found.prefix, config: what)
    }

    /// The checkpoint's head (read by scaleface as `held`, a `HeadKind` or any kind named by the
    /// reference's head or class name) against `head`: the kind, then the tensors.
    public func checkHead<K: RawRepresentable>(held: K, _ found: UncertaintyHeads.Found) throws where K.RawValue == String {
        guard let h = head else { return }
        let kind = HeadKind.allCases.first { $0.rawValue == held.rawValue || $0.className == held.rawValue }
        guard let kind, kind == h.kind else {
            let name = kind.map { "'\($0.rawValue)' (\($0.className))" } ?? held.rawValue
            throw InputError(file: found.path, "\(path) names head '\(h.kind.rawValue)' (\(h.kind.className)), but the checkpoint's head is a \(name)")
        }
        try Self.checkStateDict(h.stateDictShapes, found.weights, checkpoint: found.path, section: found.prefix,
                                config: "head of \(path) (\(h.kind.rawValue), in_feat \(h.inFeat)\(h.kind == .pfeAdjustable || h.kind == .pfeAdjustableSpectral ? ", out_feat \(h.outFeat)" : ""))")
    }

    /// The backbone's embedding width against `backbone.num_features`, when the config gives it.
    public func checkBackbone(embeddingSize: Int, checkpoint: String) throws {
        if let e = backbone.embeddingSize, e != embeddingSize {
            throw InputError(file: checkpoint, "backbone embeds into \(embeddingSize) dimensions, \(path) says num_features \(e)")
        }
    }
}
