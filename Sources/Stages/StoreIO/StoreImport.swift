import ArgumentParser
import Core
import Foundation
import Pipeline
import Store

/// One `--uncertainty NAME=FILE[:mode]` value: a strategy read from an `.npy` file.
public struct UncertaintySource: PathParameter, Equatable {
    public var name: String
    public var file: String
    public var mode: UncertaintyMode

    /// Parses `NAME=U.npy`, `NAME=U.npy:uncertainty` or `NAME=U.npy:confidence`. The
    /// suffix is read as a mode only when it is one, so file names may contain ':'.
    public init?(argument: String) {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else { return nil }
        name = String(argument[..<eq])
        var rest = String(argument[argument.index(after: eq)...])
        mode = .uncertainty
        if let colon = rest.lastIndex(of: ":"), let m = UncertaintyMode(rawValue: String(rest[rest.index(after: colon)...])) {
            mode = m
            rest = String(rest[..<colon])
        }
        guard !rest.isEmpty else { return nil }
        file = rest
    }

    public var path: String { file }
    public var argument: String { "\(name)=\(file):\(mode.rawValue)" }
    public func relocated(to path: String) -> UncertaintySource {
        var u = self
        u.file = path
        return u
    }
    public static let isFolder = false
}

/// The options of `scaleface store import` and of `kind: import`.
public struct StoreImportOptions: ParsableArguments, Sendable {
    @Option(help: "Text file with one image key (dataset-relative path) per line.")
    public var paths: InputFile?
    @Option(help: ".npy array [N, D] of raw embeddings, rows in the order of the paths.")
    public var embeddings: InputFile?
    @Option(help: "MagFace-style text features instead of paths and embeddings: 'path f1 ... fD' per line.")
    public var featuresTxt: InputFile?
    @Option(help: "NAME=FILE.npy[:uncertainty|:confidence]; repeatable.")
    public var uncertainty: [UncertaintySource] = []
    @Option(help: ".npy array [N] of integer identity labels.")
    public var labels: InputFile?
    @Option(help: "Free text naming the model that made the embeddings.")
    public var model = ""
    @Option(help: "Preprocessing the embeddings were made with (e.g. mean_scale).")
    public var preprocessing = ""

    public init() {}

    public func validate() throws {
        if featuresTxt != nil && (paths != nil || embeddings != nil) {
            throw ValidationError("give either text features or paths with embeddings, not both")
        }
        if featuresTxt == nil && (paths == nil || embeddings == nil) {
            throw ValidationError("give paths and embeddings (or text features)")
        }
    }
}

/// Precomputed embeddings (and uncertainties, labels) into a store (`scaleface store import`).
public struct StoreImport {
    public var options: StoreImportOptions
    public var output: String
    /// Rows per committed batch.
    public var batchRows = 16_384

    public init(_ options: StoreImportOptions, output: String) {
        self.options = options
        self.output = output
    }

    /// Reads and checks every input first, then writes the store; on any error nothing is
    /// left at `output` (an existing store there is replaced only on success).
    public func run() throws -> (count: Int, dimension: Int) {
        let paths: [String]
        let embeddings: [Float]
        let dimension: Int
        let uncertainties = options.uncertainty, labels = options.labels?.path
        let model = options.model, preprocessing = options.preprocessing
        if let file = options.featuresTxt?.path {
            let t = try FeatureText.read(file)
            (paths, embeddings, dimension) = (t.paths, t.features, t.dimension)
        } else if let pathsFile = options.paths?.path, let embeddingsFile = options.embeddings?.path {
            paths = try readPathList(pathsFile)
            let (e, shape) = try NpyFile.readFloats(embeddingsFile)
            guard shape.count == 2 else {
                throw InputError(file: embeddingsFile, "array of rank \(shape.count) (shape \(shape)), expected [N, D]")
            }
            guard shape[0] == paths.count else {
                throw InputError(file: embeddingsFile, "\(shape[0]) rows, but \(pathsFile) lists \(paths.count) paths")
            }
            try requireFinite(e, rowWidth: shape[1], file: embeddingsFile)
            (embeddings, dimension) = (e, shape[1])
        } else {
            throw InputError(file: output, "no embeddings given (paths and embeddings, or text features)")
        }
        guard dimension > 0 else { throw InputError(file: output, "embeddings have dimension 0") }

        var strategies: [StrategyInfo] = []
        var values: [String: [Float]] = [:]
        for u in uncertainties {
            guard values[u.name] == nil else { throw InputError(file: u.file, "strategy name '\(u.name)' given twice") }
            guard !u.name.contains("/"), !u.name.hasPrefix(".") else {
                throw InputError(file: u.file, "strategy name '\(u.name)' may not contain '/' or start with '.'")
            }
            let (v, shape) = try NpyFile.readFloats(u.file)
            guard shape.count == 1 || shape.count == 2 else {
                throw InputError(file: u.file, "array of rank \(shape.count) (shape \(shape)), expected [N] or [N, k]")
            }
            guard shape[0] == paths.count else {
                throw InputError(file: u.file, "\(shape[0]) rows, expected \(paths.count) (one per image)")
            }
            let width = shape.count == 2 ? shape[1] : 1
            guard width > 0 else { throw InputError(file: u.file, "zero values per image") }
            try requireFinite(v, rowWidth: width, file: u.file)
            strategies.append(StrategyInfo(name: u.name, width: width, mode: u.mode))
            values[u.name] = v
        }
        var labelValues: [Int64]?
        if let labels {
            let (l, shape) = try NpyFile.readInt64(labels)
            guard shape == [paths.count] else {
                throw InputError(file: labels, "shape \(shape), expected [\(paths.count)] (one integer label per image)")
            }
            labelValues = l
        }

        let schema = StoreSchema(dimension: dimension, model: model, preprocessing: preprocessing, strategies: strategies)
        let writer = try EmbeddingStoreWriter.create(at: output, schema: schema, paths: paths, labels: labelValues)
        do {
            var start = 0
            while start < paths.count {
                let end = min(paths.count, start + batchRows)
                var batch: [String: ArraySlice<Float>] = [:]
                for s in strategies { batch[s.name] = values[s.name]![(start * s.width)..<(end * s.width)] }
                try writer.append(embeddings: embeddings[(start * dimension)..<(end * dimension)], uncertainties: batch)
                start = end
            }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return (paths.count, dimension)
    }
}

/// Fails on the first row that holds a NaN or an infinity, naming the row (0-based, as in numpy).
func requireFinite(_ values: [Float], rowWidth: Int, file: String) throws {
    guard let i = values.firstIndex(where: { !$0.isFinite }) else { return }
    let row = rowWidth > 0 ? i / rowWidth : 0
    throw InputError(file: file, "row \(row) contains \(values[i].isNaN ? "NaN" : "Inf") (expected finite values)")
}
