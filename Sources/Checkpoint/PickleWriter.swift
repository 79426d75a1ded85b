/// Emits the pickle (protocol 2) opcodes `torch.save` uses for state dicts: dicts,
/// OrderedDicts, strings, small tuples of ints, and tensors rebuilt by
/// `torch._utils._rebuild_tensor_v2` from persistent-id storages. No memo is written (a
/// pickle need not memoise), so every object is spelled out where it is used.
struct PickleWriter {
    private(set) var bytes: [UInt8] = [0x80, 0x02]                 // PROTO 2

    mutating func op(_ code: UInt8) { bytes.append(code) }

    mutating func global(_ module: String, _ name: String) {
        op(0x63)                                                    // GLOBAL
        bytes += Array(module.utf8) + [0x0A] + Array(name.utf8) + [0x0A]
    }

    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        op(0x58)                                                    // BINUNICODE
        append32(UInt32(utf8.count))
        bytes += utf8
    }

    mutating func int(_ v: Int) {
        if v >= 0 && v < 256 {
            op(0x4B); bytes.append(UInt8(v))                        // BININT1
        } else if v >= Int(Int32.min) && v <= Int(Int32.max) {
            op(0x4A); append32(UInt32(bitPattern: Int32(v)))        // BININT
        } else {
            op(0x8A); bytes.append(8)                               // LONG1, 8 bytes two's complement
            var u = UInt64(bitPattern: Int64(v))
            for _ in 0..<8 { bytes.append(UInt8(u & 0xFF)); u >>= 8 }
        }
    }

    mutating func intTuple(_ values: [Int]) {
        if values.isEmpty { op(0x29); return }                      // EMPTY_TUPLE
        op(0x28)                                                    // MARK
        for v in values { int(v) }
        op(0x74)                                                    // TUPLE
    }

    /// An empty `collections.OrderedDict()` on the stack.
    mutating func emptyOrderedDict() {
        global("collections", "OrderedDict")
        op(0x29); op(0x52)                                          // EMPTY_TUPLE, REDUCE
    }

    /// `_rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())` of a contiguous
    /// tensor whose storage is `data/<key>` of `storageType` (`FloatStorage`, `LongStorage`).
    mutating func tensor(storageType: String, key: String, shape: [Int]) {
        let count = shape.reduce(1, *)
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * max(shape[d + 1], 1) }
        global("torch._utils", "_rebuild_tensor_v2")
        op(0x28)                                                    // MARK (arguments)
        op(0x28)                                                    // MARK (persistent id)
        string("storage")
        global("torch", storageType)
        string(key)
        string("cpu")
        int(count)
        op(0x74)                                                    // TUPLE
        op(0x51)                                                    // BINPERSID
        int(0)
        intTuple(shape)
        intTuple(strides)
        op(0x89)                                                    // NEWFALSE (requires_grad)
        emptyOrderedDict()                                          // backward hooks
        op(0x74)                                                    // TUPLE
        op(0x52)                                                    // REDUCE
    }

    mutating func stop() { op(0x2E) }

    private mutating func append32(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) }
    }
}
