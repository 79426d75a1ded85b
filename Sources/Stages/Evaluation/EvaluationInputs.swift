import Core
import Analysis
import Foundation
import Store

/// The arrays a reject or fusion evaluation needs from a store: paths, embeddings and, when a
/// strategy is chosen, its values and stored mode. The only place that touches the store.
public struct EvaluationInputs {
    public var paths: [String]
    public var embeddings: RowMatrix
    public var uncertainty: RowMatrix?
    public var storedMode: UncertaintyMode?
    /// Per-image identity labels, when the store has them (used by --bootstrap).
    public var labels: [Int64]?

    public init(paths: [String], embeddings: RowMatrix, uncertainty: RowMatrix?, storedMode: UncertaintyMode?,
                labels: [Int64]? = nil) {
        self.labels = labels
        self.paths = paths
        self.embeddings = embeddings
        self.uncertainty = uncertainty
        self.storedMode = storedMode
    }

    /// Adds the embeddings of horizontally flipped images from a second store (InsightFace's
    /// flip test: features summed before fusion). Every image of this store must be there.
    public mutating func addFlipFeatures(store path: String) throws {
        let flip = try EmbeddingStore.open(path)
        guard flip.dimension == embeddings.columns else {
            throw InputError(file: path, "flip features have dimension \(flip.dimension), expected \(embeddings.columns)")
        }
        let flipPaths = try flip.paths()
        let values = try flip.embeddings()
        var rowOf: [String: Int] = [:]
        for (i, p) in flipPaths.enumerated() { rowOf[p] = i }
        let d = embeddings.columns
        for (i, p) in paths.enumerated() {
            guard let r = rowOf[p] else { throw InputError(file: path, "no flipped embedding for image '\(p)'") }
            for j in 0..<d { embeddings.values[i * d + j] += values[r * d + j] }
        }
    }

    /// Only the image keys, for resolving a protocol before the embeddings are loaded.
    public static func paths(store path: String) throws -> [String] {
        try EmbeddingStore.open(path).paths()
    }

    /// The strategy name of the random-order baseline, when the store has no strategy of that name.
    public static let randomStrategy = "random"

    /// `strategy` `random` (unless the store has a strategy so named) is the random-order
    /// baseline: every image gets an uncertainty drawn uniformly from [0, 1) by SplitMix64 from
    /// `seed`, in store order, so rejecting by it removes pairs regardless of quality.
    public static func load(store path: String, strategy: String?, seed: UInt64 = 0) throws -> EvaluationInputs {
        let store = try EmbeddingStore.open(path)
        let e = try RowMatrix(values: store.embeddings(), rows: store.count, columns: store.dimension)
        var u: RowMatrix?
        var mode: UncertaintyMode?
        if strategy == randomStrategy && !store.strategies.contains(where: { $0.name == randomStrategy }) {
            var g = SplitMix64(seed: seed)
            u = try RowMatrix(values: (0..<store.count).map { _ in g.nextUniform() }, rows: store.count, columns: 1)
            mode = .uncertainty
        } else if let name = strategy {
            let values = try store.uncertainty(named: name)
            u = try RowMatrix(values: values.values, rows: store.count, columns: values.width)
            mode = UncertaintyMode(rawValue: values.mode.rawValue)
            if let row = u?.firstNonFiniteRow() {
                throw InputError(file: path, "uncertainty '\(name)' is NaN or infinite for image \(row)")
            }
        }
        return EvaluationInputs(paths: try store.paths(), embeddings: e, uncertainty: u, storedMode: mode,
                                labels: try store.labels())
    }
}

/// Adds the metric name (and the pair) to analysis errors so the one printed line says which
/// metric failed.
func withMetric<T>(_ name: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as AnalysisError {
        switch e {
        case .notFinite, .noPositives, .noNegatives, .invalidArgument:
            throw AnalysisError.invalidArgument("metric \(name): \(e)")
        default: throw e
        }
    }
}
