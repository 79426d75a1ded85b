import Foundation

/// A value in a checkpoint to be written: tensors, and dicts of them (a state dict is an
/// `OrderedDict`, a reference checkpoint a plain dict of state dicts).
public indirect enum CheckpointValue: Sendable {
    case float32(Tensor)
    case int64(shape: [Int], values: [Int64])
    case orderedDict([(String, CheckpointValue)])
    case dict([(String, CheckpointValue)])
}

/// Writes PyTorch-loadable `.pth` files as current `torch.save` does: a zip archive of STORED
/// entries `archive/data.pkl` (pickle protocol 2), `archive/byteorder` ("little"),
/// `archive/data/<n>` (raw little-endian storages, each aligned to 64 bytes in the file),
/// and `archive/version` ("3\n"). Loadable with `torch.load(path, weights_only=True)` and by
/// `Checkpoint.load`. The file appears atomically (written under a temporary name).
public enum CheckpointWriter {
    /// A state dict with the reference's dtypes: `*.num_batches_tracked` as int64 (PyTorch's
    /// counters), everything else float32.
    public static func stateDict(_ weights: WeightSet) -> CheckpointValue {
        .orderedDict(weights.names.map { name in
            let t = weights[name]!
            if name.hasSuffix("num_batches_tracked") {
                return (name, .int64(shape: t.shape, values: t.values.map { Int64($0.rounded()) }))
            }
            return (name, .float32(t))
        })
    }

    /// `{section: state_dict, ...}`, the layout of the reference's own checkpoints
    /// (`{"scale_predictor": {...}}`, `{"head": {...}}`).
    public static func write(sections: [(String, WeightSet)], to path: String) throws {
        try write(.dict(sections.map { ($0.0, stateDict($0.1)) }), to: path)
    }

    public static func write(_ root: CheckpointValue, to path: String) throws {
        var pickle = PickleWriter()
        var storages: [[UInt8]] = []
        func emit(_ v: CheckpointValue) {
            switch v {
            case .float32(let t):
                pickle.tensor(storageType: "FloatStorage", key: String(storages.count), shape: t.shape)
                storages.append(littleEndianBytes(t.values.map { $0.bitPattern }))
            case .int64(let shape, let values):
                pickle.tensor(storageType: "LongStorage", key: String(storages.count), shape: shape)
                storages.append(littleEndianBytes(values.map { UInt64(bitPattern: $0) }))
            case .orderedDict(let items), .dict(let items):
                if case .dict = v { pickle.op(0x7D) } else { pickle.emptyOrderedDict() }   // EMPTY_DICT
                if items.isEmpty { return }
                pickle.op(0x28)                                                           // MARK
                for (k, value) in items { pickle.string(k); emit(value) }
                pickle.op(0x75)                                                           // SETITEMS
            }
        }
        switch root {
        case .orderedDict, .dict: emit(root)
        default: throw CheckpointError(path: path, message: "the root of a checkpoint must be a dict")
        }
        pickle.stop()
        var zip = ZipWriter()
        zip.add("archive/data.pkl", pickle.bytes)
        zip.add("archive/byteorder", Array("little".utf8))
        for (i, s) in storages.enumerated() { zip.add("archive/data/\(i)", s, alignment: 64) }
        zip.add("archive/version", Array("3\n".utf8))
        let bytes = try zip.finish(path: path)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CheckpointError(path: path, message: "cannot be written (\(error.localizedDescription))")
        }
    }
}

/// The raw little-endian bytes of `values` (one bulk copy after byte-swapping, a no-op on
/// little-endian hosts).
func littleEndianBytes<I: FixedWidthInteger>(_ values: [I]) -> [UInt8] {
    values.map { $0.littleEndian }.withUnsafeBytes { Array($0) }
}

/// A zip archive of STORED entries, without zip64 (so at most 4 GiB), built in memory.
struct ZipWriter {
    private var out: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    mutating func add(_ name: String, _ data: [UInt8], alignment: Int = 1) {
        let nameBytes = Array(name.utf8)
        let crc = CRC32.checksum(data)
        let offset = out.count
        // Pad the local header's extra field so that the data starts on `alignment`, as
        // torch does for storages (memory-mapped loading wants aligned tensors).
        var extra: [UInt8] = []
        if alignment > 1 {
            var pad = (alignment - (offset + 30 + nameBytes.count) % alignment) % alignment
            if pad > 0 && pad < 4 { pad += alignment }
            if pad >= 4 {
                extra = [0x46, 0x42] + le16(pad - 4) + [UInt8](repeating: 0x5A, count: pad - 4)   // id "FB"
            }
        }
        out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
        out += le32(crc) + le32(data.count) + le32(data.count) + le16(nameBytes.count) + le16(extra.count)
        out += nameBytes + extra + data
        central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
        central += le32(crc) + le32(data.count) + le32(data.count) + le16(nameBytes.count) + le16(0) + le16(0)
        central += le16(0) + le16(0) + le32(0) + le32(offset) + nameBytes
        count += 1
    }

    func finish(path: String) throws -> [UInt8] {
        guard out.count + central.count < Int(UInt32.max), count < 65535 else {
            throw CheckpointError(path: path, message: "would exceed 4 GiB or 65535 entries, which this writer (no zip64) does not support")
        }
        var bytes = out + central
        bytes += le32(0x0605_4B50) + le16(0) + le16(0) + le16(count) + le16(count)
        bytes += le32(central.count) + le32(out.count) + le16(0)
        return bytes
    }

    private func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    private func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    private func le32(_ v: UInt32) -> [UInt8] { le32(Int(v)) }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), which zip readers verify.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
