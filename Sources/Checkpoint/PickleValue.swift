/// The values a restricted unpickler can produce. Lists and dicts are reference types so that
/// memo entries and later APPENDS/SETITEMS see the same object, as in Python.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// An allowed global, by its dotted name (`torch._utils._rebuild_tensor_v2`).
    case global(String)
    case storage(StorageRef)
    case tensor(TensorRef)
}

final class PickleList {
    var items: [PickleValue] = []
}

/// Keys keep insertion order (an OrderedDict's order is the state dict's order). An
/// `argparse.Namespace` is read as a dict of its attributes (`isNamespace`).
final class PickleDict {
    var isNamespace = false
    var keys: [String] = []
    var values: [String: PickleValue] = [:]

    func set(_ key: String, _ value: PickleValue) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }
}

/// Element types of the storages a state dict may hold.
public enum StorageType: String, Sendable {
    case float32 = "FloatStorage"
    case float16 = "HalfStorage"
    case bfloat16 = "BFloat16Storage"
    case int64 = "LongStorage"

    var byteWidth: Int {
        switch self {
        case .float32: return 4
        case .float16, .bfloat16: return 2
        case .int64: return 8
        }
    }
}

/// A persistent-id reference to raw little-endian bytes at `data/<key>` inside the archive.
struct StorageRef {
    let key: String
    let type: StorageType
    let count: Int
}

/// A tensor view onto a storage: element offset, shape and strides in elements.
struct TensorRef {
    let storage: StorageRef
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}
