import Foundation

/// Interprets the subset of the pickle protocol (2 to 5) that `torch.save` uses for state
/// dicts and nested dicts of them. Nothing is ever called: the only globals accepted are the
/// ones needed to rebuild dicts and tensors, and each is interpreted by this reader itself.
/// Any other global is refused when it is named, before any REDUCE could use it.
/// `argparse.Namespace` (the `args` entry of a StyleGAN2 training checkpoint) is inert data:
/// NEWOBJ on it makes an empty dict and BUILD fills it with the pickled attributes; no class
/// is ever instantiated (docs/strategies.md, GAN).
struct RestrictedUnpickler {
    static let allowedGlobals: Set<String> = [
        "collections.OrderedDict", "argparse.Namespace",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage",
    ]

    let path: String
    private let bytes: [UInt8]
    private var pos = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    private func fail(_ message: String) -> CheckpointError {
        CheckpointError(path: path, message: message)
    }

    private mutating func read(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, pos + n <= bytes.count else { throw fail("pickle data.pkl ends unexpectedly at byte \(pos)") }
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }

    private mutating func uint(_ n: Int) throws -> Int {
        var v = 0
        for (i, b) in try read(n).enumerated() { v |= Int(b) << (8 * i) }
        return v
    }

    private mutating func line() throws -> String {
        guard let end = bytes[pos...].firstIndex(of: 0x0A) else { throw fail("pickle GLOBAL without newline") }
        defer { pos = end + 1 }
        return String(decoding: bytes[pos..<end], as: UTF8.self)
    }

    private mutating func pop() throws -> PickleValue {
        guard let v = stack.popLast() else { throw fail("pickle stack underflow at byte \(pos)") }
        return v
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let m = marks.popLast(), m <= stack.count else { throw fail("pickle MARK missing at byte \(pos)") }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    private func key(_ v: PickleValue) throws -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: throw fail("pickle dict key of unsupported kind \(kind(v))")
        }
    }

    private func kind(_ v: PickleValue) -> String {
        switch v {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let g): return g
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }

    private func global(_ module: String, _ name: String) throws -> PickleValue {
        let dotted = "\(module).\(name)"
        guard Self.allowedGlobals.contains(dotted) else {
            throw fail("refuses global \(dotted) (only tensors and dicts may be loaded; the file may be malicious)")
        }
        return .global(dotted)
    }

    private func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let t) = pid, t.count == 5, case .string("storage") = t[0],
              case .global(let g) = t[1], case .string(let key) = t[2], case .int(let count) = t[4] else {
            throw fail("unsupported persistent id \(kind(pid)) (expected ('storage', type, key, location, numel))")
        }
        guard g.hasPrefix("torch."), let type = StorageType(rawValue: String(g.dropFirst(6))) else {
            throw fail("unsupported storage type \(g)")
        }
        return .storage(StorageRef(key: key, type: type, count: count))
    }

    private func ints(_ v: PickleValue, _ what: String) throws -> [Int] {
        guard case .tuple(let t) = v else { throw fail("tensor \(what) is \(kind(v)), expected a tuple") }
        return try t.map {
            guard case .int(let i) = $0 else { throw fail("tensor \(what) holds \(kind($0)), expected int") }
            return i
        }
    }

    private func reduce(_ callable: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(let g) = callable, case .tuple(let a) = args else {
            throw fail("pickle REDUCE on \(kind(callable)) is not supported")
        }
        switch g {
        case "collections.OrderedDict":
            let d = PickleDict()
            if let first = a.first, case .list(let pairs) = first {
                for p in pairs.items {
                    guard case .tuple(let kv) = p, kv.count == 2 else { throw fail("OrderedDict item is not a pair") }
                    d.set(try key(kv[0]), kv[1])
                }
            }
            return .dict(d)
        case "torch._utils._rebuild_tensor_v2":
            guard a.count >= 4, case .storage(let s) = a[0], case .int(let offset) = a[1] else {
                throw fail("_rebuild_tensor_v2 called with unexpected arguments")
            }
            let shape = try ints(a[2], "size"), strides = try ints(a[3], "stride")
            guard shape.count == strides.count, shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor size \(shape) and stride \(strides) disagree")
            }
            var last = offset
            for (n, st) in zip(shape, strides) where n > 0 { last += (n - 1) * st }
            guard offset >= 0, shape.contains(0) || last < s.count else {
                throw fail("tensor view (offset \(offset), size \(shape), stride \(strides)) exceeds its storage of \(s.count) elements")
            }
            return .tensor(TensorRef(storage: s, offset: offset, shape: shape, strides: strides))
        case "torch._utils._rebuild_parameter":
            guard let data = a.first, case .tensor = data else { throw fail("_rebuild_parameter without a tensor") }
            return data
        default:
            throw fail("pickle REDUCE on \(g) is not supported")
        }
    }

    mutating func load() throws -> PickleValue {
        while true {
            let op = try read(1).first!
            switch op {
            case 0x80: _ = try read(1)                                   // PROTO
            case 0x95: _ = try read(8)                                   // FRAME
            case 0x2E: return try pop()                                  // STOP
            case 0x28: marks.append(stack.count)                         // MARK
            case 0x30: _ = try pop()                                     // POP
            case 0x31: _ = try popMark()                                 // POP_MARK
            case 0x32: let v = try pop(); stack += [v, v]                // DUP
            case 0x4E: stack.append(.none)
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try uint(4)))))  // BININT
            case 0x4B: stack.append(.int(try uint(1)))                                  // BININT1
            case 0x4D: stack.append(.int(try uint(2)))                                  // BININT2
            case 0x8A, 0x8B:                                                            // LONG1, LONG4
                let n = op == 0x8A ? try uint(1) : try uint(4)
                guard n <= 8 else { throw fail("pickle integer of \(n) bytes is too large") }
                let raw = try read(n)
                var v: UInt64 = 0
                for (i, b) in raw.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
                if n > 0 && n < 8 && raw.last! & 0x80 != 0 { v |= ~UInt64(0) << (8 * UInt64(n)) }
                stack.append(.int(Int(Int64(bitPattern: v))))
            case 0x47:                                                                  // BINFLOAT
                var v: UInt64 = 0
                for b in try read(8) { v = v << 8 | UInt64(b) }
                stack.append(.float(Double(bitPattern: v)))
            case 0x58, 0x8C, 0x8D, 0x54, 0x55:                  // BINUNICODE(8), SHORT_*, BINSTRING
                let n = try uint(op == 0x8C || op == 0x55 ? 1 : op == 0x8D ? 8 : 4)
                stack.append(.string(String(decoding: try read(n), as: UTF8.self)))
            case 0x42, 0x43, 0x8E:                              // BINBYTES, SHORT_BINBYTES, BINBYTES8
                let n = try uint(op == 0x43 ? 1 : op == 0x8E ? 8 : 4)
                stack.append(.bytes(Array(try read(n))))
            case 0x29: stack.append(.tuple([]))
            case 0x74: stack.append(.tuple(try popMark()))
            case 0x85, 0x86, 0x87:
                let n = Int(op - 0x84)
                guard stack.count >= n else { throw fail("pickle stack underflow at byte \(pos)") }
                let t = Array(stack.suffix(n))
                stack.removeLast(n)
                stack.append(.tuple(t))
            case 0x5D: stack.append(.list(PickleList()))
            case 0x6C: let l = PickleList(); l.items = try popMark(); stack.append(.list(l))
            case 0x61, 0x65:                                                            // APPEND(S)
                let items = op == 0x61 ? [try pop()] : try popMark()
                guard case .list(let l) = stack.last else { throw fail("pickle APPEND onto a non-list") }
                l.items += items
            case 0x7D: stack.append(.dict(PickleDict()))
            case 0x64:                                                                  // DICT
                let items = try popMark()
                let d = PickleDict()
                guard items.count % 2 == 0 else { throw fail("pickle DICT with odd item count") }
                for i in stride(from: 0, to: items.count, by: 2) { d.set(try key(items[i]), items[i + 1]) }
                stack.append(.dict(d))
            case 0x73, 0x75:                                                            // SETITEM(S)
                let items: [PickleValue]
                if op == 0x73 { let v = try pop(); let k = try pop(); items = [k, v] } else { items = try popMark() }
                guard case .dict(let d) = stack.last, items.count % 2 == 0 else {
                    throw fail("pickle SETITEMS onto a non-dict")
                }
                for i in stride(from: 0, to: items.count, by: 2) { d.set(try key(items[i]), items[i + 1]) }
            case 0x71, 0x72:                                                            // BINPUT
                let idx = try uint(op == 0x71 ? 1 : 4)
                guard let top = stack.last else { throw fail("pickle PUT on empty stack") }
                memo[idx] = top
            case 0x94:                                                                  // MEMOIZE
                guard let top = stack.last else { throw fail("pickle MEMOIZE on empty stack") }
                memo[memo.count] = top
            case 0x68, 0x6A:                                                            // BINGET
                let idx = try uint(op == 0x68 ? 1 : 4)
                guard let v = memo[idx] else { throw fail("pickle GET of unknown memo \(idx)") }
                stack.append(v)
            case 0x63:                                                                  // GLOBAL
                let module = try line(), name = try line()
                stack.append(try global(module, name))
            case 0x93:                                                                  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard case .string(let n) = name, case .string(let m) = module else {
                    throw fail("pickle STACK_GLOBAL without names")
                }
                stack.append(try global(m, n))
            case 0x51: stack.append(try persistentLoad(try pop()))                      // BINPERSID
            case 0x52:                                                                  // REDUCE
                let args = try pop(), callable = try pop()
                stack.append(try reduce(callable, args))
            case 0x81:                                                                  // NEWOBJ
                let args = try pop(), cls = try pop()
                guard case .global("argparse.Namespace") = cls, case .tuple(let a) = args, a.isEmpty else {
                    throw fail("pickle NEWOBJ on \(kind(cls)) is not supported")
                }
                let d = PickleDict()
                d.isNamespace = true
                stack.append(.dict(d))
            case 0x62:                                                                  // BUILD
                // A Namespace's attributes; the state of an OrderedDict (its `_metadata`) or of
                // a tensor is not needed.
                let state = try pop()
                guard case let target? = stack.last else { throw fail("pickle BUILD on empty stack") }
                if case .dict(let d) = target, d.isNamespace {
                    guard case .dict(let attributes) = state else { throw fail("argparse.Namespace state is \(kind(state)), expected a dict") }
                    for k in attributes.keys { d.set(k, attributes.values[k]!) }
                }
            default:
                throw fail(String(format: "pickle opcode 0x%02x at byte %d is not supported by the restricted reader", op, pos - 1))
            }
        }
    }
}
