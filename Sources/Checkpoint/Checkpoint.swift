import Foundation

/// Reads a PyTorch `.pth` (zip container + `data.pkl` + raw storages under `data/`) through
/// the restricted unpickler, and converts every tensor found in the (possibly nested) dict to
/// float32 under its dotted name. Non-tensor leaves (epoch numbers, config strings) are skipped.
public enum Checkpoint {
    /// All tensors, or with `section` only those under `section.` (the others are never
    /// materialised: a StyleGAN2 training checkpoint's `d` without its generators).
    public static func load(path: String, section: String? = nil) throws -> WeightSet {
        let zip = try ZipArchive(path: path)
        let pickles = zip.names.filter { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }
        guard pickles.count == 1, let pkl = pickles.first else {
            throw CheckpointError(path: path, message: "holds \(pickles.count) data.pkl entries, expected exactly one (is it a torch.save file?)")
        }
        let prefix = String(pkl.dropLast("data.pkl".count))
        let pklBytes = [UInt8](zip.data[try slice(zip, pkl)])
        var unpickler = RestrictedUnpickler(path: path, bytes: pklBytes)
        let root = try unpickler.load()

        var refs: [(String, TensorRef)] = []
        func walk(_ v: PickleValue, _ name: String) {
            switch v {
            case .tensor(let t): if section.map({ name.hasPrefix($0 + ".") }) ?? true { refs.append((name, t)) }
            case .dict(let d):
                for k in d.keys { walk(d.values[k]!, name.isEmpty ? k : "\(name).\(k)") }
            default: break
            }
        }
        walk(root, "")
        if case .tensor = root {
            throw CheckpointError(path: path, message: "holds a single tensor, expected a state dict")
        }
        var weights = WeightSet(source: path)
        for (name, ref) in refs {
            let range = try slice(zip, prefix + "data/" + ref.storage.key)
            let need = ref.storage.count * ref.storage.type.byteWidth
            guard range.count >= need else {
                throw CheckpointError(path: path, message: "storage data/\(ref.storage.key) of \(name) holds \(range.count) bytes, expected \(need)")
            }
            weights.set(name, materialise(ref, zip.data, range.lowerBound))
        }
        return weights
    }

    private static func slice(_ zip: ZipArchive, _ name: String) throws -> Range<Data.Index> {
        let r = try zip.range(of: name)
        return (zip.data.startIndex + r.lowerBound)..<(zip.data.startIndex + r.upperBound)
    }

    /// Gathers a strided view into a contiguous row-major float32 tensor.
    static func materialise(_ ref: TensorRef, _ data: Data, _ base: Data.Index) -> Tensor {
        let count = ref.shape.reduce(1, *)
        var out = [Float](repeating: 0, count: count)
        let type = ref.storage.type
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let start = raw.baseAddress!.advanced(by: base - data.startIndex)
            func element(_ i: Int) -> Float {
                let p = start.advanced(by: i * type.byteWidth)
                switch type {
                case .float32: return Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
                case .float16: return halfToFloat(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
                case .bfloat16:
                    return Float(bitPattern: UInt32(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self))) << 16)
                case .int64: return Float(Int64(littleEndian: p.loadUnaligned(as: Int64.self)))
                }
            }
            if count == 0 { return }
            var index = [Int](repeating: 0, count: ref.shape.count)
            var src = ref.offset
            for i in 0..<count {
                out[i] = element(src)
                // Odometer increment over the shape, keeping the strided source offset.
                var d = ref.shape.count - 1
                while d >= 0 {
                    index[d] += 1
                    src += ref.strides[d]
                    if index[d] < ref.shape[d] { break }
                    src -= ref.strides[d] * ref.shape[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
        return Tensor(shape: ref.shape, values: out)
    }

    /// IEEE 754 binary16 to binary32, exact for every value including subnormals and NaN.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mant << 13) }
        if exp == 0 {
            let magnitude = Float(mant) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | mant << 13)
    }
}
