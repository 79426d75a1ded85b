import Core
import Foundation

/// A group of named float32 tensors with string attributes, kept beside a store's rows (the
/// pair classifier's weights, docs/store.md, "The pair classifier"): `/<group>` with the
/// attributes, and one dataset `/<group>/<name>` per tensor with its shape. Reading bounds
/// every size before allocating: at most `maxTensors` tensors, each of rank 1 to 3 with at most
/// `maxFloats` values.
public struct StoreTensorGroup: Equatable, Sendable {
    public struct Tensor: Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    public var attributes: [String: String]
    public var tensors: [Tensor]

    public static let maxTensors = 64
    public static let maxFloats = 1 << 25

    public init(attributes: [String: String], tensors: [Tensor]) {
        self.attributes = attributes
        self.tensors = tensors
    }

    /// Writes the group into `root`; an existing group of that name must equal this one (a
    /// resumed writer), else it is an error naming `path`.
    public func write(into root: HDF5Group, name: String, path: String) throws {
        if root.contains(name) {
            let keys = Array(attributes.keys)
            guard let existing = try Self.read(root, name: name, attributeKeys: keys, path: path),
                  Set(existing.tensors.map(\.name)) == Set(tensors.map(\.name)), existing.attributes == attributes,
                  tensors.allSatisfy({ t in existing.tensors.contains(t) }) else {
                throw StoreError.mismatch(message: "\(path): already holds another /\(name); restart to discard the partial store")
            }
            return
        }
        let g = try root.createGroup(name)
        for (k, v) in attributes.sorted(by: { $0.key < $1.key }) { try g.setAttribute(k, string: v) }
        for t in tensors {
            let d = try g.createDataset(t.name, type: .float32, shape: t.shape, chunkRows: max(1, t.shape.first ?? 1),
                                        allocateNow: false)
            try d.writeFloats(t.values, at: 0)
        }
    }

    /// The group `name` of the store file at `path`, nil when it has none.
    public static func read(store path: String, name: String, attributeKeys: [String]) throws -> StoreTensorGroup? {
        try read(HDF5File.open(path).root, name: name, attributeKeys: attributeKeys, path: path)
    }

    static func read(_ root: HDF5Group, name: String, attributeKeys: [String], path: String) throws -> StoreTensorGroup? {
        guard root.contains(name) else { return nil }
        let g = try root.group(name)
        var attributes: [String: String] = [:]
        for k in attributeKeys {
            guard let v = try g.stringAttribute(k) else {
                throw StoreError.badFormat(path: path, message: "/\(name) has no string attribute '\(k)'")
            }
            attributes[k] = v
        }
        let names = try g.childNames()
        guard !names.isEmpty, names.count <= maxTensors else {
            throw StoreError.badFormat(path: path, message: "/\(name) holds \(names.count) tensors, expected 1 to \(maxTensors)")
        }
        var tensors: [Tensor] = []
        for n in names {
            let d = try g.dataset(n)
            let shape = d.shape
            guard (1...3).contains(shape.count), shape.allSatisfy({ $0 > 0 && $0 <= maxFloats }),
                  shape.reduce(1.0, { $0 * Double($1) }) <= Double(maxFloats), d.elementType.isFloat else {
                throw StoreError.badFormat(path: path, message: "/\(name)/\(n) has shape \(shape); expected a float tensor of rank 1 to 3 with at most \(maxFloats) values")
            }
            tensors.append(Tensor(name: n, shape: shape, values: try d.readFloats()))
        }
        return StoreTensorGroup(attributes: attributes, tensors: tensors)
    }
}
