import Backbone
import Foundation
import Store

/// `scaleface embed`: aligned 112 x 112 crops (PNG or JPEG; larger images are center-cropped as
/// the reference's test pipeline does) listed in a text file -> backbone (+ heads)
/// -> an embedding store with `/embeddings` (the backbone's `feature`) and one
/// `/uncertainty/<strategy>` per requested strategy, rows in list order.
///
/// Everything that can be checked before computing is checked first (list, checkpoint,
/// architecture, heads); the store is written under a partial name and only renamed into
/// place once complete, and is deleted if anything fails, so an error leaves no output.
public struct EmbedStage {
    public var imagesRoot: String
    public var listPath: String
    public var checkpoint: String
    public var arch: String
    public var strategies: [EmbedStrategy]
    public var preprocess: Preprocess
    public var batchSize: Int
    public var threads: Int
    public var scaleActivation: ScaleActivation
    public var scaleCoefficient: Float
    public var output: String
    public var quiet: Bool
    /// Aligned crop size the network expects (112 for every published model).
    public var inputSize = 112

    public init(imagesRoot: String, listPath: String, checkpoint: String, arch: String,
                strategies: [EmbedStrategy] = [.embNorm], preprocess: Preprocess = .meanScale,
                batchSize: Int = 16, threads: Int = Threads.available,
                scaleActivation: ScaleActivation = .exp, scaleCoefficient: Float = 64,
                output: String, quiet: Bool = false) {
        self.imagesRoot = imagesRoot
        self.listPath = listPath
        self.checkpoint = checkpoint
        self.arch = arch
        self.strategies = strategies
        self.preprocess = preprocess
        self.batchSize = batchSize
        self.threads = threads
        self.scaleActivation = scaleActivation
        self.scaleCoefficient = scaleCoefficient
        self.output = output
        self.quiet = quiet
    }

    /// Image paths relative to the root, one per non-empty line.
    public static func readList(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, "no such image list")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, "image list is not UTF-8 text")
        }
        let paths = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !paths.isEmpty else { throw InputError(file: path, "image list is empty (expected one image path per line)") }
        return paths
    }

    @discardableResult
    public func run() throws -> Int {
        guard batchSize >= 1 else { throw InputError(file: listPath, "--batch must be at least 1") }
        let paths = try Self.readList(listPath)
        let model = try EmbeddingModel(checkpoint: checkpoint, arch: arch, strategies: strategies,
                                       scaleActivation: scaleActivation, scaleCoefficient: scaleCoefficient,
                                       inputSize: inputSize)
        let config = model.backbone.config
        let infos = strategies.map {
            StrategyInfo(name: $0.rawValue, width: model.width(of: $0), mode: $0.isConfidence ? .confidence : .uncertainty)
        }
        let schema = StoreSchema(dimension: config.embeddingSize,
                                 model: "\(arch) \(URL(fileURLWithPath: checkpoint).lastPathComponent)",
                                 preprocessing: preprocess.rawValue, strategies: infos)
        let writer = try EmbeddingStoreWriter.create(at: output, schema: schema, paths: paths)
        do {
            try embed(paths, model: model, writer: writer)
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return paths.count
    }

    private func embed(_ paths: [String], model: EmbeddingModel, writer: EmbeddingStoreWriter) throws {
        let size = model.backbone.config.inputSize
        let workspace = Workspace(threads: max(1, threads))
        var progress = Progress(total: paths.count, quiet: quiet)
        var start = 0
        var input = [Float]()
        while start < paths.count {
            let end = min(paths.count, start + batchSize)
            input.removeAll(keepingCapacity: true)
            input.reserveCapacity((end - start) * 3 * size * size)
            for p in paths[start..<end] {
                let file = URL(fileURLWithPath: imagesRoot).appendingPathComponent(p).path
                let decoded = try RGBImage.decode(path: file)
                guard decoded.width >= size, decoded.height >= size else {
                    throw InputError(file: file, "image is \(decoded.width) x \(decoded.height), expected an aligned \(size) x \(size) crop")
                }
                let image = try decoded.cropCenter(width: size, height: size)
                let offset = input.count
                input.append(contentsOf: repeatElement(0, count: 3 * size * size))
                image.pixels.withUnsafeBufferPointer { rgb in
                    input.withUnsafeMutableBufferPointer {
                        preprocess.planar(rgb: rgb, height: size, width: size, into: $0.baseAddress! + offset)
                    }
                }
            }
            let out = model.backbone.forward(input, batch: end - start, workspace: workspace)
            var values: [String: [Float]] = [:]
            for s in strategies { values[s.rawValue] = model.values(of: s, out) }
            try writer.append(embeddings: out.feature, uncertainties: values)
            start = end
            progress.update(start)
        }
        progress.finish()
    }
}

/// One stderr line, rewritten in place: images done, rate, ETA.
struct Progress {
    let total: Int
    let quiet: Bool
    let started = Date()
    private var lastPrint = Date.distantPast

    init(total: Int, quiet: Bool) {
        self.total = total
        self.quiet = quiet
    }

    mutating func update(_ done: Int) {
        guard !quiet, Date().timeIntervalSince(lastPrint) >= 0.5 || done == total else { return }
        lastPrint = Date()
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        FileHandle.standardError.write(String(format: "\rembed: %d/%d images, %.1f images/s, ETA %.0f s   ", done, total, rate, eta).data(using: .utf8)!)
    }

    func finish() {
        if !quiet { FileHandle.standardError.write("\n".data(using: .utf8)!) }
    }
}
