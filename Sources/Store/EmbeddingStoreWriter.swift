import Core
import Foundation

/// Writes a store row batch by row batch, so that an interrupted write can continue.
///
/// The store is written at `<path>.partial` and renamed to `path` by `finish()`. Every
/// dataset is created whole at the start, with all its chunks allocated, so writing rows
/// later changes no HDF5 metadata: a kill at any moment leaves the partial file readable.
/// After each batch the data is flushed and then the root attribute `rows_committed`, an
/// int64 rewritten in place, is advanced and flushed. Rows past it are rewritten on resume.
public final class EmbeddingStoreWriter {
    public let path: String
    public let partialPath: String
    public let schema: StoreSchema
    public let count: Int
    public private(set) var committedRows: Int

    /// The open file and its datasets; nil once finished or abandoned, which closes them.
    private struct OpenStore {
        let file: HDF5File
        let embeddings: HDF5Dataset
        let uncertainty: [String: HDF5Dataset]
        let bottleneck: HDF5Dataset?
    }
    private var open: OpenStore?

    /// Starts a new store (any earlier partial store at this path is replaced).
    /// `settings` are recorded as root attributes for `resume` to compare (docs/store.md,
    /// "Completeness and resuming").
    public static func create(at path: String, schema: StoreSchema, paths: [String], labels: [Int64]? = nil,
                              settings: [RunSetting] = [], created: Date = Date()) throws -> EmbeddingStoreWriter {
        try validate(schema: schema, paths: paths, labels: labels, path: path)
        let partial = StoreFormat.partialPath(for: path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw StoreError.io(path: path, message: "directory \(directory) does not exist")
        }
        unlink(partial)
        do {
            let file = try HDF5File.create(partial)
            let root = file.root
            try root.setAttribute("format", string: StoreFormat.formatName)
            try root.setAttribute("format_version", int: StoreFormat.version)
            try root.setAttribute("model", string: schema.model)
            try root.setAttribute("preprocessing", string: schema.preprocessing)
            try root.setAttribute("created", string: ISO8601DateFormatter().string(from: created))
            try root.setAttribute(StoreFormat.completeKey, int: 0)
            try root.setAttribute(StoreFormat.committedKey, int: 0)
            for setting in settings {
                switch setting.value {
                case .int(let v): try root.setAttribute(setting.key, int: v)
                case .string(let v): try root.setAttribute(setting.key, string: v)
                }
            }

            let n = paths.count
            _ = try root.createGroup("images")
            let pathSet = try root.createDataset(StoreFormat.pathsKey, type: .string, shape: [n],
                                                 chunkRows: chunkRows(rowBytes: 64, count: n), allocateNow: true)
            try pathSet.writeStrings(paths, at: 0)
            if let labels {
                let l = try root.createDataset(StoreFormat.labelsKey, type: .int64, shape: [n],
                                               chunkRows: chunkRows(rowBytes: 8, count: n), allocateNow: true)
                try l.writeInt64(labels, at: 0)
            }
            _ = try root.createDataset(StoreFormat.embeddingsKey, type: .float32, shape: [n, schema.dimension],
                                       chunkRows: chunkRows(rowBytes: 4 * schema.dimension, count: n), allocateNow: true)
            if !schema.strategies.isEmpty {
                let group = try root.createGroup(StoreFormat.uncertaintyGroup)
                for s in schema.strategies {
                    let d = try group.createDataset(s.name, type: .float32, shape: [n, s.width],
                                                    chunkRows: chunkRows(rowBytes: 4 * s.width, count: n), allocateNow: true)
                    try d.setAttribute("mode", string: s.mode.rawValue)
                }
            }
            if let width = schema.bottleneckWidth {
                _ = try root.createDataset(StoreFormat.bottleneckKey, type: schema.bottleneckHalf ? .float16 : .float32,
                                           shape: [n, width],
                                           chunkRows: chunkRows(rowBytes: (schema.bottleneckHalf ? 2 : 4) * width, count: n),
                                           allocateNow: true)
            }
            try file.flush()
            return try EmbeddingStoreWriter(path: path, file: file, schema: schema, count: n, committed: 0)
        } catch {
            unlink(partial)
            throw error
        }
    }

    /// Continues the partial store at `path` if there is one, written with the same schema,
    /// paths, labels and run `settings`; nil when there is none. A partial store made with
    /// other settings is an error rather than being silently overwritten, and is left as it
    /// is (docs/store.md, "Completeness and resuming"): a changed run setting, or one the
    /// partial store does not record (made before settings were recorded), is refused with
    /// one line naming it.
    public static func resume(at path: String, schema: StoreSchema, paths: [String],
                              labels: [Int64]? = nil, settings: [RunSetting] = []) throws -> EmbeddingStoreWriter? {
        let partial = StoreFormat.partialPath(for: path)
        guard FileManager.default.fileExists(atPath: partial) else { return nil }
        // The read-only view must be closed before HDF5 will reopen the file for writing.
        let committed: Int = try {
            let existing = try EmbeddingStore.open(partial, allowIncomplete: true)
            try check(settings, recordedIn: existing)
            func differs(_ what: String) -> StoreError {
                .mismatch(message: "\(partial): an interrupted store made with a different \(what) is in the way; rerun with the same settings or delete it")
            }
            guard existing.dimension == schema.dimension else { throw differs("embedding dimension") }
            guard existing.model == schema.model else { throw differs("model") }
            guard existing.preprocessing == schema.preprocessing else { throw differs("preprocessing") }
            guard existing.strategies.sorted(by: { $0.name < $1.name }) == schema.strategies.sorted(by: { $0.name < $1.name })
            else { throw differs("set of uncertainty strategies") }
            guard existing.bottleneck?.width == schema.bottleneckWidth,
                  existing.bottleneck.map({ $0.half == schema.bottleneckHalf }) ?? true else { throw differs("bottleneck setting") }
            guard try existing.paths() == paths else { throw differs("image list") }
            guard try existing.labels() == labels else { throw differs("label list") }
            return existing.isComplete ? existing.count : existing.committedRows
        }()
        let file = try HDF5File.open(partial, writable: true)
        return try EmbeddingStoreWriter(path: path, file: file, schema: schema, count: paths.count, committed: committed)
    }

    /// Refuses a partial store whose recorded run settings differ from this run's, or that
    /// records none of them (docs/store.md, "Completeness and resuming").
    private static func check(_ settings: [RunSetting], recordedIn existing: EmbeddingStore) throws {
        let root = existing.file.root
        let finished = existing.isComplete ? existing.count : existing.committedRows
        let discard = "restart to discard the \(finished) finished rows"
        var recorded: [RunSetting.Value?] = []
        for s in settings {
            switch s.value {
            case .int: recorded.append(try root.intAttribute(s.key).map { .int($0) })
            case .string: recorded.append(try root.stringAttribute(s.key).map { .string($0) })
            }
        }
        let missing = zip(settings, recorded).filter { $0.1 == nil }.map(\.0.name)
        if !missing.isEmpty {
            let names = missing.count == 1 ? missing[0]
                : missing.dropLast().joined(separator: ", ") + " and " + missing.last!
            throw StoreError.mismatch(message: "\(existing.path): was started by an older scaleface that did not record its \(names), so resuming it cannot be checked; \(discard)")
        }
        for (s, old) in zip(settings, recorded) where old != s.value {
            throw StoreError.mismatch(message: "\(existing.path): was started with \(s.name) \(old!), this run uses \(s.value); rerun with the same \(s.name), or \(discard)")
        }
    }

    private init(path: String, file: HDF5File, schema: StoreSchema, count: Int, committed: Int) throws {
        self.path = path
        self.partialPath = StoreFormat.partialPath(for: path)
        self.schema = schema
        self.count = count
        self.committedRows = committed
        let root = file.root
        var u: [String: HDF5Dataset] = [:]
        for s in schema.strategies { u[s.name] = try root.dataset("\(StoreFormat.uncertaintyGroup)/\(s.name)") }
        open = OpenStore(file: file, embeddings: try root.dataset(StoreFormat.embeddingsKey), uncertainty: u,
                         bottleneck: schema.bottleneckWidth == nil ? nil : try root.dataset(StoreFormat.bottleneckKey))
    }

    private static func validate(schema: StoreSchema, paths: [String], labels: [Int64]?, path: String) throws {
        var seen: [String: Int] = [:]
        seen.reserveCapacity(paths.count)
        for (i, p) in paths.enumerated() {
            if let first = seen.updateValue(i, forKey: p) {
                throw StoreError.invalidValue(path: path, message: "duplicate image path '\(p)' at rows \(first) and \(i)")
            }
        }
        if let labels, labels.count != paths.count {
            throw StoreError.mismatch(message: "\(path): \(labels.count) labels for \(paths.count) images")
        }
        let names = schema.strategies.map(\.name)
        if Set(names).count != names.count { throw StoreError.invalidValue(path: path, message: "a strategy name is repeated") }
        for n in names where n.isEmpty || n.contains("/") || n.hasPrefix(".") {
            throw StoreError.invalidValue(path: path, message: "strategy name '\(n)' is not usable (no '/', not empty)")
        }
    }

    /// Writes the next rows and commits them durably. `embeddings` is `[n, D]`, each
    /// uncertainty `[n, k]`, `bottleneck` `[n, F]`, all row-major; every schema field is required.
    public func append(embeddings e: [Float], uncertainties: [String: [Float]] = [:], bottleneck b: [Float]? = nil) throws {
        try append(embeddings: e[...], uncertainties: uncertainties.mapValues { $0[...] }, bottleneck: b?[...])
    }

    /// As `append(embeddings:uncertainties:bottleneck:)` from parts of larger arrays (a whole
    /// imported `.npy` cut into batches), without copying them.
    public func append(embeddings e: ArraySlice<Float>, uncertainties: [String: ArraySlice<Float>],
                       bottleneck b: ArraySlice<Float>? = nil) throws {
        guard let open else { throw StoreError.io(path: path, message: "store writer already finished") }
        guard e.count % schema.dimension == 0 else {
            throw StoreError.mismatch(message: "\(path): \(e.count) embedding values are not whole rows of \(schema.dimension)")
        }
        let n = e.count / schema.dimension
        guard committedRows + n <= count else {
            throw StoreError.mismatch(message: "\(path): \(committedRows + n) rows written to a store of \(count) images")
        }
        for s in schema.strategies {
            guard let values = uncertainties[s.name], values.count == n * s.width else {
                throw StoreError.mismatch(message: "\(path): strategy '\(s.name)' needs \(n) x \(s.width) values for this batch")
            }
        }
        if let extra = uncertainties.keys.first(where: { k in !schema.strategies.contains { $0.name == k } }) {
            throw StoreError.mismatch(message: "\(path): strategy '\(extra)' is not in the store's schema")
        }
        if let width = schema.bottleneckWidth {
            guard let b, b.count == n * width else {
                throw StoreError.mismatch(message: "\(path): bottleneck needs \(n) x \(width) values for this batch")
            }
        }
        try open.embeddings.writeFloats(e, at: committedRows)
        for s in schema.strategies { try open.uncertainty[s.name]!.writeFloats(uncertainties[s.name]!, at: committedRows) }
        if let bottleneck = open.bottleneck, let b { try bottleneck.writeFloats(b, at: committedRows) }
        try open.file.flush()
        try open.file.root.setAttribute(StoreFormat.committedKey, int: Int64(committedRows + n))
        try open.file.flush()
        committedRows += n
    }

    /// Lets `body` add objects to the open partial store before `finish()` (the pair classifier's
    /// group, docs/store.md), then flushes.
    public func writeExtra(_ body: (HDF5Group) throws -> Void) throws {
        guard let open else { throw StoreError.mismatch(message: "\(path): the store is already finished") }
        try body(open.file.root)
        try open.file.flush()
    }

    /// Marks the store complete and moves it to its final name.
    public func finish() throws {
        guard let open else { return }
        guard committedRows == count else {
            throw StoreError.mismatch(message: "\(path): only \(committedRows) of \(count) rows written")
        }
        try open.file.root.setAttribute(StoreFormat.completeKey, int: 1)
        try open.file.flush()
        self.open = nil
        do {
            try publishFile(partialPath, at: path)
        } catch {
            throw StoreError.io(path: path, message: "could not move the finished store into place (\(String(cString: strerror(errno))))")
        }
    }

    /// Deletes the partial store (after an error that makes it useless).
    public func abandon() {
        open = nil
        unlink(partialPath)
    }
}

/// A setting of the run writing a store that decides which row lands at which index, or the
/// bits of a row: recorded as a root attribute `key` when the store is created and compared
/// when it is resumed, so that a rerun with another value is refused instead of writing rows
/// at the wrong index (docs/store.md, "Completeness and resuming").
public struct RunSetting: Equatable, Sendable {
    public enum Value: Equatable, Sendable, CustomStringConvertible {
        case int(Int64)
        case string(String)

        /// As messages show it; digests are cut to their first 12 characters.
        public var description: String {
            switch self {
            case .int(let v): return String(v)
            case .string(let v): return v.count > 16 ? v.prefix(12) + "…" : v
            }
        }
    }

    /// The root attribute holding the value.
    public var key: String
    /// How messages name the setting ("batch size"), never as a command-line flag, since the
    /// same job runs from pipeline files.
    public var name: String
    public var value: Value

    public init(key: String, name: String, value: Value) {
        self.key = key
        self.name = name
        self.value = value
    }
}
