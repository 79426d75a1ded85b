import Checkpoint
import Core

/// The iResNet tensors of a checkpoint, under every key layout `embed` reads
/// (docs/backbone.md, "Checkpoints"; docs/strategies.md, "MagFace"):
///
/// - a section of the reference's dict (`backbone.conv1.weight`, `uncertainty_model.conv1.weight`);
/// - a bare state dict (InsightFace's `backbone.pth`), also with DataParallel's `module.` prefix;
/// - a MagFace checkpoint: `state_dict.module.features.conv1.weight` (the DDP state dict of
///   MagFace's `NetworkBuilder_inf`, whose child `features` is the iResNet), or the same
///   state dict bare. A key `<p>.features.<rest>` becomes `<rest>`
///   (`module.features.features.weight` -> `features.weight`), and every other key (MagFace's
///   margin classifier `module.fc.weight`) is dropped: the conversion the reference's
///   notebook does before saving `uncertainty_model` or `backbone`.
///
/// `prefix` is what the keys were called in the file, for errors naming a key.
struct BackboneSection {
    var weights: WeightSet
    var prefix: String

    /// `section` of the checkpoint when present, else the whole file (or its `state_dict`).
    init(_ file: WeightSet, section: String) {
        var w = file, prefix = ""
        if file.hasSection(section) {
            (w, prefix) = (file.section(section), section)
        } else if file.hasSection("state_dict"), file["conv1.weight"] == nil {
            (w, prefix) = (file.section("state_dict"), "state_dict")
        }
        func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : "\(a).\(b)" }
        if w["conv1.weight"] == nil, let magface = Self.magFacePrefix(w) {
            var renamed = WeightSet(source: w.source)
            for n in w.names where n.hasPrefix(magface + ".") { renamed.set(String(n.dropFirst(magface.count + 1)), w[n]!) }
            (w, prefix) = (renamed, join(prefix, magface))
        } else if !w.names.isEmpty, w.names.allSatisfy({ $0.hasPrefix("module.") }) {
            (w, prefix) = (w.section("module"), join(prefix, "module"))
        }
        weights = w
        self.prefix = prefix
    }

    /// `<p>.features` when the keys have MagFace's layout `<p>.features.conv1.weight`.
    static func magFacePrefix(_ w: WeightSet) -> String? {
        for n in w.names where n.hasSuffix(".features.conv1.weight") {
            let head = n.dropLast(".conv1.weight".count)
            if head.split(separator: ".").count == 2 { return String(head) }
        }
        return nil
    }
}
