/// A dense float32 tensor: `shape` plus contiguous row-major (C order) `values`.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "tensor shape \(shape) does not match \(values.count) values")
        self.shape = shape
        self.values = values
    }

    public var count: Int { values.count }
}

/// Named float32 tensors in a stable order: the weights of a model under their PyTorch
/// state-dict names. Nested checkpoint dicts are flattened with dots (`backbone.conv1.weight`).
/// This is also the on-disk weights layout (see docs/backbone.md).
public struct WeightSet: Sendable {
    public private(set) var names: [String] = []
    public private(set) var tensors: [String: Tensor] = [:]
    /// Where the weights came from, for error messages.
    public var source: String

    public init(source: String) {
        self.source = source
    }

    public subscript(name: String) -> Tensor? { tensors[name] }

    public mutating func set(_ name: String, _ tensor: Tensor) {
        if tensors.updateValue(tensor, forKey: name) == nil { names.append(name) }
    }

    public mutating func remove(_ name: String) {
        if tensors.removeValue(forKey: name) != nil { names.removeAll { $0 == name } }
    }

    /// The tensors under `prefix.` with the prefix removed.
    public func section(_ prefix: String) -> WeightSet {
        var out = WeightSet(source: source)
        let p = prefix + "."
        for n in names where n.hasPrefix(p) { out.set(String(n.dropFirst(p.count)), tensors[n]!) }
        return out
    }

    /// Whether any tensor lives under `prefix.`.
    public func hasSection(_ prefix: String) -> Bool {
        names.contains { $0.hasPrefix(prefix + ".") }
    }
}
