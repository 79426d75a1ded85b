import Backbone
import Dispatch
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
    /// Store `/bottleneck` (float16) so that heads can be trained and applied later without
    /// the backbone (`train-head`, `heads`).
    public var keepBottleneck = false
    /// Embed only slice `index` of `count` contiguous slices of the list (cut at whole
    /// batches); `store merge` of the slices in order gives the store of the whole list.
    public var shard: (index: Int, count: Int)?
    /// An InsightFace-style landmark file: list entries are raw images, aligned on the fly
    /// with the ArcFace template (REFERENCE section 1) instead of center-cropped.
    public var landmarks: String?
    /// Discard an interrupted run's partial store instead of continuing it.
    public var restart = false
    /// Check every image first and leave out those that cannot be read or aligned, listing
    /// them with the reason in `skippedListPath` instead of stopping at the first.
    public var skipBadImages = false
    /// `<output>.skipped.txt`: `path<TAB>reason` per skipped image (written only when skipping).
    public var skippedListPath: String { output + ".skipped.txt" }
    /// Integer identity labels, one per list entry (`.npy`, or text with one integer per
    /// line), stored as `/images/label` (training heads needs them).
    public var labels: String?

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
        let paths = try readTextLines(path).map { String($0.text) }
        guard !paths.isEmpty else { throw InputError(file: path, "image list is empty (expected one image path per line)") }
        return paths
    }

    /// Labels from `.npy` (any integer type) or a text file of one integer per line.
    static func readLabels(_ path: String, count: Int) throws -> [Int64] {
        let values: [Int64]
        if path.hasSuffix(".npy") {
            let (v, shape) = try NpyFile.readInt64(path)
            guard shape.count == 1 else { throw InputError(file: path, "shape \(shape), expected [\(count)] labels") }
            values = v
        } else {
            values = try readTextLines(path).map { number, text in
                guard let v = Int64(text) else { throw InputError(file: path, line: number, "'\(text)' is not an integer label") }
                return v
            }
        }
        guard values.count == count else {
            throw InputError(file: path, "\(values.count) labels for \(count) listed images (expected one per image)")
        }
        return values
    }

    @discardableResult
    public func run() throws -> Int {
        guard batchSize >= 1 else { throw InputError(file: listPath, "--batch must be at least 1") }
        var paths = try Self.readList(listPath)
        var labelValues = try labels.map { try Self.readLabels($0, count: paths.count) }
        if let shard {
            guard shard.count >= 1, (0..<shard.count).contains(shard.index) else {
                throw InputError(file: listPath, "shard \(shard.index)/\(shard.count): expected I/N with 0 <= I < N")
            }
            // Slice boundaries fall on whole batches, so every shard forms the batches an
            // unsharded run would, and the merged shards equal its store bit for bit.
            let n = paths.count
            func boundary(_ i: Int) -> Int { i == shard.count ? n : min(n, (i * n / shard.count) / batchSize * batchSize) }
            let slice = boundary(shard.index)..<boundary(shard.index + 1)
            paths = Array(paths[slice])
            labelValues = labelValues.map { Array($0[slice]) }
        }
        let aligner = try landmarks.map { try LandmarkAligner(path: $0, size: inputSize) }
        if skipBadImages {
            let bad = badImages(paths, size: inputSize, aligner: aligner)
            let keep = paths.indices.filter { bad[paths[$0]] == nil }
            paths = keep.map { paths[$0] }
            labelValues = labelValues.map { l in keep.map { l[$0] } }
            let listing = bad.keys.sorted().map { "\($0)\t\(bad[$0]!)" }.joined(separator: "\n")
            try writeText(listing.isEmpty ? "" : listing + "\n", to: skippedListPath)
            if !quiet && !bad.isEmpty {
                FileHandle.standardError.write(Data("embed: skipping \(bad.count) unreadable images (listed in \(skippedListPath))\n".utf8))
            }
            guard !paths.isEmpty else { throw InputError(file: listPath, "no readable image in the list") }
        }
        let model = try EmbeddingModel(checkpoint: checkpoint, arch: arch, strategies: strategies,
                                       scaleActivation: scaleActivation, scaleCoefficient: scaleCoefficient,
                                       inputSize: inputSize)
        let config = model.backbone.config
        let infos = strategies.map {
            StrategyInfo(name: $0.rawValue, width: model.width(of: $0), mode: $0.isConfidence ? .confidence : .uncertainty)
        }
        let schema = StoreSchema(dimension: config.embeddingSize,
                                 model: "\(arch) \(URL(fileURLWithPath: checkpoint).lastPathComponent)",
                                 preprocessing: preprocess.rawValue, strategies: infos,
                                 bottleneckWidth: keepBottleneck ? config.bottleneckWidth : nil, bottleneckHalf: true)
        if restart { unlink(StoreFormat.partialPath(for: output)) }
        // An interrupted run with the same settings continues after its last committed batch;
        // batches keep their boundaries, so the result is bit-identical to an uninterrupted run.
        let writer = try EmbeddingStoreWriter.resume(at: output, schema: schema, paths: paths, labels: labelValues)
            ?? EmbeddingStoreWriter.create(at: output, schema: schema, paths: paths, labels: labelValues)
        if writer.committedRows > 0 && !quiet {
            FileHandle.standardError.write(Data("embed: continuing \(output) after \(writer.committedRows) of \(paths.count) committed images\n".utf8))
        }
        do {
            try embed(paths, model: model, aligner: aligner, writer: writer)
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return paths.count
    }

    private func embed(_ paths: [String], model: EmbeddingModel, aligner: LandmarkAligner?,
                       writer: EmbeddingStoreWriter) throws {
        let size = model.backbone.config.inputSize
        let workspace = Workspace(threads: max(1, threads))
        // Whole batches from the start of the list, so a resumed run forms the same batches.
        var start = writer.committedRows - writer.committedRows % batchSize
        let progress = ProgressLine(label: "embed", total: paths.count, quiet: quiet, alreadyDone: start)
        func batch(at first: Int) -> Range<Int> { first..<min(paths.count, first + batchSize) }
        // The next batch is decoded on another thread while the network runs on this one.
        let decoder = DispatchQueue(label: "scaleface.embed.decode")
        let next = DecodedBatchSlot()
        let ready = DispatchSemaphore(value: 0)
        func prefetch(_ rows: Range<Int>) {
            decoder.async {
                next.result = Result { try self.decode(paths[rows], size: size, aligner: aligner) }
                ready.signal()
            }
        }
        if start < paths.count { prefetch(batch(at: start)) }
        while start < paths.count {
            let rows = batch(at: start)
            ready.wait()
            let input = try next.result!.get()
            if rows.upperBound < paths.count { prefetch(batch(at: rows.upperBound)) }
            let out = model.backbone.forward(input, batch: rows.count, workspace: workspace)
            var values: [String: [Float]] = [:]
            for s in strategies { values[s.rawValue] = model.values(of: s, out) }
            if rows.lowerBound >= writer.committedRows {
                try writer.append(embeddings: out.feature, uncertainties: values,
                                  bottleneck: keepBottleneck ? out.bottleneck : nil)
            }
            start = rows.upperBound
            progress.update(start)
        }
        progress.finish()
    }

    /// The images that cannot be decoded, aligned or cropped, with the reason; checked on all cores.
    private func badImages(_ paths: [String], size: Int, aligner: LandmarkAligner?) -> [String: String] {
        let lock = NSLock()
        var bad: [String: String] = [:]
        let chunk = 256
        DispatchQueue.concurrentPerform(iterations: (paths.count + chunk - 1) / chunk) { c in
            for p in paths[(c * chunk)..<min(paths.count, (c + 1) * chunk)] {
                do {
                    _ = try decode([p][...], size: size, aligner: aligner)
                } catch {
                    lock.lock()
                    bad[p] = "\(error)".replacingOccurrences(of: "\n", with: " ")
                    lock.unlock()
                }
            }
        }
        return bad
    }

    /// Planar, preprocessed network input for a batch of images: `[n, 3, size, size]`.
    private func decode(_ paths: ArraySlice<String>, size: Int, aligner: LandmarkAligner?) throws -> [Float] {
        var input = [Float](repeating: 0, count: paths.count * 3 * size * size)
        for (i, p) in paths.enumerated() {
            let file = URL(fileURLWithPath: imagesRoot).appendingPathComponent(p).path
            let decoded = try RGBImage.decode(path: file)
            let image: RGBImage
            if let aligner {
                image = try aligner.align(decoded, name: p)
            } else {
                guard decoded.width >= size, decoded.height >= size else {
                    throw InputError(file: file, "image is \(decoded.width) x \(decoded.height), expected an aligned \(size) x \(size) crop")
                }
                image = try decoded.cropCenter(width: size, height: size)
            }
            image.pixels.withUnsafeBufferPointer { rgb in
                input.withUnsafeMutableBufferPointer {
                    preprocess.planar(rgb: rgb, height: size, width: size, into: $0.baseAddress! + i * 3 * size * size)
                }
            }
        }
        return input
    }
}

/// Aligns raw images on the fly from an InsightFace-style landmark file.
struct LandmarkAligner {
    let file: LandmarkFile
    let path: String
    let aligner: Aligner

    init(path: String, size: Int) throws {
        file = try LandmarkFile.read(path: path)
        self.path = path
        aligner = Aligner(template: .arcface, width: size, height: size)
    }

    func align(_ image: RGBImage, name: String) throws -> RGBImage {
        guard let record = file[name] else {
            throw InputError(file: path, "no landmarks for image '\(name)'")
        }
        do {
            return try aligner.align(image, landmarks: record.points)
        } catch let e as AlignmentError {
            throw InputError(file: path, "image '\(name)': \(e)")
        }
    }
}

/// The batch the decoding thread hands over. Written by that thread before it signals the
/// semaphore and read by the embedding loop only after waiting on it, so the semaphore orders
/// every access (hence `@unchecked Sendable`).
private final class DecodedBatchSlot: @unchecked Sendable {
    var result: Result<[Float], Error>?
}
