import Checkpoint
/// Takes tensors out of a `WeightSet` by name and shape, collecting every problem (missing,
/// mis-shaped, unexpected keys) so that one error names them all.
public struct WeightReader {
    let weights: WeightSet
    let prefix: String
    private(set) var used: Set<String> = []
    private(set) var missing: [String] = []
    private(set) var misshaped: [String] = []

    public init(_ weights: WeightSet, prefix: String) {
        self.weights = weights
        self.prefix = prefix
    }

    private func full(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    /// The values of `name`, which must have `shape`; zeros (and a recorded problem) if not.
    public mutating func take(_ name: String, _ shape: [Int]) -> [Float] {
        used.insert(name)
        guard let t = weights[name] else {
            missing.append(full(name))
            return [Float](repeating: 0, count: shape.reduce(1, *))
        }
        guard t.shape == shape else {
            misshaped.append("\(full(name)) is \(t.shape), expected \(shape)")
            return [Float](repeating: 0, count: shape.reduce(1, *))
        }
        return t.values
    }

    public func has(_ name: String) -> Bool { weights[name] != nil }

    /// Shape of `name` if present (used to infer sizes before taking).
    public func shape(_ name: String) -> [Int]? { weights[name]?.shape }

    /// BatchNorm running statistics (and affine parameters if `affine`) as an affine map.
    mutating func batchNorm(_ name: String, _ channels: Int, affine: Bool = true) -> ChannelAffine {
        let w = affine ? take("\(name).weight", [channels]) : nil
        let b = affine ? take("\(name).bias", [channels]) : nil
        let m = take("\(name).running_mean", [channels])
        let v = take("\(name).running_var", [channels])
        used.insert("\(name).num_batches_tracked")
        return ChannelAffine(weight: w, bias: b, mean: m, variance: v)
    }

    /// Throws one error naming every missing, mis-shaped and unexpected key.
    public func finish(what: String) throws {
        let unexpected = weights.names.filter { !used.contains($0) }.map(full)
        func list(_ items: [String], _ sep: String) -> String {
            let shown = items.prefix(8).joined(separator: sep)
            return items.count > 8 ? shown + "\(sep)and \(items.count - 8) more" : shown
        }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing keys: " + list(missing, ", ")) }
        if !misshaped.isEmpty { parts.append("mis-shaped keys: " + list(misshaped, "; ")) }
        if !unexpected.isEmpty { parts.append("unexpected keys: " + list(unexpected, ", ")) }
        if !parts.isEmpty {
            throw CheckpointError(path: weights.source, message: "does not fit \(what): " + parts.joined(separator: "; "))
        }
    }
}
