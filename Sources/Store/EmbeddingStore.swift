import Core
import Foundation

/// A finished (or, for inspection, unfinished) store opened for reading.
public final class EmbeddingStore {
    public let path: String
    public let count: Int
    public let dimension: Int
    public let formatVersion: Int64
    public let model: String
    public let preprocessing: String
    public let created: String
    public let isComplete: Bool
    public let committedRows: Int
    public let strategies: [StrategyInfo]
    public let hasLabels: Bool
    /// Shape and element type of `/bottleneck`, when present.
    public let bottleneck: (width: Int, half: Bool)?

    /// Internal so that the writer can read the run settings it recorded (docs/store.md).
    let file: HDF5File

    /// Opens a store. Unless `allowIncomplete`, a store that is still being written (or
    /// was interrupted) is an error, so nothing downstream reads half a store.
    public static func open(_ path: String, allowIncomplete: Bool = false) throws -> EmbeddingStore {
        let store = try EmbeddingStore(path: path)
        if !allowIncomplete && !store.isComplete {
            throw StoreError.badFormat(path: path, message: "incomplete store: \(store.committedRows) of \(store.count) rows committed and never marked complete (still being written, or interrupted)")
        }
        return store
    }

    private init(path: String) throws {
        self.path = path
        file = try HDF5File.open(path)
        let root = file.root
        let format = try root.stringAttribute("format")
        guard format == StoreFormat.formatName else {
            let found = format.map { "'\($0)'" } ?? "missing"
            throw StoreError.badFormat(path: path, message: "not a scaleface store (root attribute 'format' is \(found), expected '\(StoreFormat.formatName)')")
        }
        guard let version = try root.intAttribute("format_version") else {
            throw StoreError.badFormat(path: path, message: "missing root attribute 'format_version' (expected an integer)")
        }
        guard version <= StoreFormat.version else {
            throw StoreError.badFormat(path: path, message: "format_version \(version) is newer than this scaleface reads (\(StoreFormat.version)); upgrade scaleface")
        }
        formatVersion = version
        model = try root.stringAttribute("model") ?? ""
        preprocessing = try root.stringAttribute("preprocessing") ?? ""
        created = try root.stringAttribute("created") ?? ""

        let paths = try root.dataset(StoreFormat.pathsKey)
        guard paths.shape.count == 1, paths.elementType == .string else {
            throw StoreError.badFormat(path: path, message: "'/images/path' must be a one-dimensional string array")
        }
        count = paths.rows
        let embeddings = try root.dataset(StoreFormat.embeddingsKey)
        guard embeddings.shape.count == 2, embeddings.elementType.isFloat, embeddings.rows == count else {
            throw StoreError.badFormat(path: path, message: "'/embeddings' has shape \(embeddings.shape) and type \(embeddings.elementType), expected [\(count), D] floats")
        }
        dimension = embeddings.shape[1]

        isComplete = (try root.intAttribute(StoreFormat.completeKey) ?? 0) == 1
        committedRows = Int(try root.intAttribute(StoreFormat.committedKey) ?? (isComplete ? Int64(count) : 0))

        var strategies: [StrategyInfo] = []
        if root.contains(StoreFormat.uncertaintyGroup) {
            for name in try root.group(StoreFormat.uncertaintyGroup).childNames() {
                let d = try root.dataset("\(StoreFormat.uncertaintyGroup)/\(name)")
                guard (1...2).contains(d.shape.count), d.rows == count, d.elementType.isFloat else {
                    throw StoreError.badFormat(path: path, message: "'/uncertainty/\(name)' has shape \(d.shape), expected [\(count)] or [\(count), k] floats")
                }
                let modeText = try d.stringAttribute("mode") ?? ""
                guard let mode = UncertaintyMode(rawValue: modeText) else {
                    throw StoreError.badFormat(path: path, message: "'/uncertainty/\(name)' attribute 'mode' is '\(modeText)', expected 'uncertainty' or 'confidence'")
                }
                strategies.append(StrategyInfo(name: name, width: d.rowWidth, mode: mode))
            }
        }
        self.strategies = strategies

        hasLabels = root.contains(StoreFormat.labelsKey)
        if hasLabels {
            let l = try root.dataset(StoreFormat.labelsKey)
            guard l.shape == [count], l.elementType.isInteger else {
                throw StoreError.badFormat(path: path, message: "'/images/label' has shape \(l.shape), expected [\(count)] integers")
            }
        }
        if root.contains(StoreFormat.bottleneckKey) {
            let b = try root.dataset(StoreFormat.bottleneckKey)
            guard b.shape.count == 2, b.rows == count, b.elementType.isFloat else {
                throw StoreError.badFormat(path: path, message: "'/bottleneck' has shape \(b.shape), expected [\(count), F] floats")
            }
            bottleneck = (b.shape[1], b.elementType == .float16)
        } else {
            bottleneck = nil
        }
    }

    public func paths() throws -> [String] {
        try file.root.dataset(StoreFormat.pathsKey).readStrings()
    }

    /// Raw embeddings, row-major `[rows, dimension]`.
    public func embeddings(rows: Range<Int>? = nil) throws -> [Float] {
        try file.root.dataset(StoreFormat.embeddingsKey).readFloats(rows)
    }

    public func strategy(named name: String) throws -> StrategyInfo {
        guard let s = strategies.first(where: { $0.name == name }) else {
            let known = strategies.map(\.name).joined(separator: ", ")
            throw StoreError.badFormat(path: path, message: "no uncertainty strategy '\(name)' (the store has: \(known.isEmpty ? "none" : known))")
        }
        return s
    }

    /// One strategy's values, row-major `[rows, width]`.
    public func uncertainty(named name: String, rows: Range<Int>? = nil) throws -> UncertaintyValues {
        let s = try strategy(named: name)
        let values = try file.root.dataset("\(StoreFormat.uncertaintyGroup)/\(name)").readFloats(rows)
        return UncertaintyValues(values: values, width: s.width, mode: s.mode)
    }

    public func labels() throws -> [Int64]? {
        guard hasLabels else { return nil }
        return try file.root.dataset(StoreFormat.labelsKey).readInt64()
    }

    /// Bottleneck features as Float, row-major `[rows, width]`; nil when the store has none.
    public func bottleneckFeatures(rows: Range<Int>? = nil) throws -> [Float]? {
        guard bottleneck != nil else { return nil }
        return try file.root.dataset(StoreFormat.bottleneckKey).readFloats(rows)
    }

    /// Every root attribute as text, for `store info`.
    public func rootAttributes() throws -> [(String, String)] {
        let root = file.root
        return try root.attributeNames().sorted().map { key in
            if let i = try? root.intAttribute(key) { return (key, String(i)) }
            return (key, (try? root.stringAttribute(key)).flatMap { $0 } ?? "(unreadable)")
        }
    }
}
