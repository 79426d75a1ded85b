import Core
import Core
import Foundation
import Store

/// The scaleface HDF5 weights layout (docs/backbone.md): a string dataset `/format` holding
/// `["scaleface-weights", "1", <source it was converted from>]`, and one float32 dataset per tensor under `/tensors/<state-dict name>` with the tensor's
/// shape (dots are kept in names, e.g. `/tensors/backbone.layer1.0.conv1.weight`). 0-d tensors
/// (BatchNorm's `num_batches_tracked` counters) are not needed for inference and are left out.
public enum WeightsFile {
    public static let formatName = "scaleface-weights"
    public static let version: Int64 = 1

    /// Reads a `.h5` weights file or a PyTorch `.pth` checkpoint, by content.
    public static func load(path: String) throws -> WeightSet {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError(file: path, "no such checkpoint file")
        }
        if isHDF5(path) { return try readHDF5(path: path) }
        return try Checkpoint.load(path: path)
    }

    static func isHDF5(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let magic = h.readData(ofLength: 8)
        return magic == Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    public static func write(_ weights: WeightSet, to path: String, source: String) throws {
        try writeAtomically(to: path) { tmp in
            let file = try HDF5File.create(tmp)
            let root = file.root
            let header = [formatName, String(version), source]
            try root.createDataset("format", type: .string, shape: [header.count], chunkRows: header.count,
                                   allocateNow: false).writeStrings(header, at: 0)
            let group = try root.createGroup("tensors")
            for name in weights.names {
                let t = weights[name]!
                guard !t.shape.isEmpty else { continue }
                let d = try group.createDataset(name, type: .float32, shape: t.shape, chunkRows: max(1, t.shape[0]),
                                                allocateNow: false)
                try d.writeFloats(t.values, at: 0)
            }
            try file.flush()
        }
    }

    static func readHDF5(path: String) throws -> WeightSet {
        let file = try HDF5File.open(path)
        let root = file.root
        let header = root.contains("format") ? try root.dataset("format").readStrings() : []
        guard header.first == formatName, header.count >= 2, root.contains("tensors") else {
            throw InputError(file: path, "is an HDF5 file but not scaleface weights (expected /format = [\"\(formatName)\", version, source] and /tensors)")
        }
        guard let v = Int64(header[1]), v <= version else {
            throw InputError(file: path, "weights format version is newer than this scaleface understands (\(version))")
        }
        var weights = WeightSet(source: path)
        let group = try root.group("tensors")
        for name in try group.childNames() {
            let d = try group.dataset(name)
            weights.set(name, Tensor(shape: d.shape, values: try d.readFloats()))
        }
        return weights
    }
}
