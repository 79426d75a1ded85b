import Core
/// Names and constants of the on-disk store layout (documented in docs/store.md).
public enum StoreFormat {
    public static let formatName = "scaleface-store"
    /// Bumped when a reader of the previous version could misread a new store.
    public static let version: Int64 = 1

    static let pathsKey = "images/path"
    static let labelsKey = "images/label"
    static let embeddingsKey = "embeddings"
    static let uncertaintyGroup = "uncertainty"
    static let bottleneckKey = "bottleneck"

    /// Root attribute: 1 once every row is written; readers refuse stores without it.
    static let completeKey = "complete"
    /// Root attribute: rows durably written so far (an interrupted writer resumes here).
    static let committedKey = "rows_committed"

    /// Where a store is written until it is complete.
    public static func partialPath(for path: String) -> String { path + ".partial" }
}

/// One per-image uncertainty strategy stored under `/uncertainty/<name>`.
public struct StrategyInfo: Equatable, Sendable, Codable {
    public var name: String
    /// Values per image (`k`): 1 for scalar strategies, 512 for PFE's `sigma^2`.
    public var width: Int
    public var mode: UncertaintyMode

    public init(name: String, width: Int, mode: UncertaintyMode) {
        self.name = name
        self.width = width
        self.mode = mode
    }
}

/// The values of one strategy: row-major `[count, width]`.
public struct UncertaintyValues: Sendable {
    public var values: [Float]
    public var width: Int
    public var mode: UncertaintyMode
}

/// What a store holds besides its rows: fixed when the store is created.
public struct StoreSchema: Equatable, Sendable {
    public var dimension: Int
    public var model: String
    public var preprocessing: String
    public var strategies: [StrategyInfo]
    /// Width of `/bottleneck` rows, or nil for none.
    public var bottleneckWidth: Int?
    /// Store `/bottleneck` as float16 (half the size; the values are rounded to nearest).
    public var bottleneckHalf: Bool

    public init(dimension: Int, model: String, preprocessing: String, strategies: [StrategyInfo] = [],
                bottleneckWidth: Int? = nil, bottleneckHalf: Bool = true) {
        self.dimension = dimension
        self.model = model
        self.preprocessing = preprocessing
        self.strategies = strategies
        self.bottleneckWidth = bottleneckWidth
        self.bottleneckHalf = bottleneckHalf
    }
}

/// Rows per chunk for rows of `rowBytes` bytes: about 1 MiB per chunk, at most 65,536 rows.
func chunkRows(rowBytes: Int, count: Int) -> Int {
    max(1, min(count, 65_536, (1 << 20) / max(1, rowBytes)))
}
