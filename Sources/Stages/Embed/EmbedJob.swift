import ArgumentParser
import Core
import Imaging
import Backbone
import Dispatch
import Foundation
import Pipeline
import Store

/// `scaleface embed`: aligned 112 x 112 crops (PNG or JPEG; larger images are center-cropped as
/// the reference's test pipeline does) listed in a text file -> backbone (+ heads)
/// -> an embedding store with `/embeddings` (the backbone's `feature`) and one
/// `/uncertainty/<strategy>` per requested strategy, rows in list order.
///
/// Everything that can be checked before computing is checked first (list, checkpoint,
/// architecture, heads); the store is written under a partial name and only renamed into
/// place once complete, and is deleted if anything fails, so an error leaves no output. A
/// rerun that may not continue an interrupted run's partial store leaves it as it is
/// (docs/store.md, "Completeness and resuming").
/// The options of `scaleface embed` and of `kind: embed`.
public struct EmbedOptions: ParsableArguments, Sendable {
    @Option(help: "Folder the list's paths are relative to.")
    public var images: InputFolder
    @Option(help: "Text file with one image path per line.")
    public var list: InputFile
    @Option(help: "PyTorch .pth checkpoint or scaleface weights .h5.")
    public var checkpoint: InputFile
    @Option(help: "Reference model config (YAML): sets --arch, --scale-activation and --scale-coefficient, checked against the checkpoint; flags given beside it override it (docs/model-configs.md).")
    public var config: InputFile?
    @Option(help: "iresnet18, iresnet34, iresnet50 or iresnet100 (append _normalized for the normalised variant; default iresnet50 or the config's).")
    public var arch: String?
    @Option(help: "Comma-separated: emb_norm, magface, scale, blurred_scale, head, backbone+uncertainty_model, GAN (with --discriminator), classifier (keeps the pair classifier in the store).")
    public var strategies: CommaList<EmbedStrategy> = [.embNorm]
    @Option(help: "StyleGAN2 training checkpoint (.pth with key d, size 256, channel multiplier 2) for strategy GAN.")
    public var discriminator: InputFile?
    @Option(help: "Gaussian blur sigma of strategy blurred_scale (scipy gaussian_filter on all three axes; default 3, as the shipped blurred.yaml).")
    public var blurIntensity: Double?
    @Option(help: "mean_scale ((p - 127.5) / 128) or scale (p / 255, MagFace).")
    public var preprocess: Preprocess = .meanScale
    @Option(help: "Images per forward pass.")
    public var batch = 16
    @Option(help: "Threads (default: all cores).")
    public var threads: Int?
    @Option(help: "Scale predictor output activation: exp, sigm, sigm_mul, sigm_sum, sigm_sum_mul, relu, lin (default exp or the config's).")
    public var scaleActivation: ScaleActivation?
    @Option(help: "Coefficient c of the scale activations (default 64 or the config's).")
    public var scaleCoefficient: Float?
    @Flag(help: "Also store the bottleneck features (float16) for train-head and heads.")
    public var keepBottleneck = false
    @Option(help: "Embed slice I of N contiguous slices of the list (I/N, 0-based); join the stores with `store merge`.")
    public var shard: Shard?
    @Option(help: "InsightFace landmark file: the list names raw images, aligned on the fly (ArcFace template).")
    public var landmarks: InputFile?
    @Flag(help: "Discard the partial store of an interrupted run instead of continuing it.")
    public var restart = false
    @Flag(help: "Leave out unreadable images, listed with the reason in OUT.skipped.txt, instead of stopping.")
    public var skipBadImages = false
    @Option(help: "Identity labels, one per listed image (.npy or one integer per line); stored for train-head.")
    public var labels: InputFile?
    @Option(help: "Crop side the network takes (112 for every published model).")
    public var inputSize = 112
    @Option(help: "Pair classifier checkpoint kept in the store by strategy classifier (default: the checkpoint's pair_classifier section).")
    public var pairClassifier: InputFile?

    public init() {}

    public func validate() throws {
        guard batch >= 1 else { throw ValidationError("the batch size must be at least 1") }
        guard (threads ?? 1) >= 1 else { throw ValidationError("the thread count must be at least 1") }
        guard inputSize >= 16 else { throw ValidationError("the input size must be at least 16") }
        guard !strategies.items.isEmpty else { throw ValidationError("no strategy given") }
        try GANPass.validate(strategies: strategies.items, discriminator: discriminator)
        try BlurredPass.validate(strategies: strategies.items, intensity: blurIntensity)
        if let shard, !(shard.count >= 1 && shard.index >= 0 && shard.index < shard.count) {
            throw ValidationError("shard takes I/N with 0 <= I < N, e.g. 0/4 (got \(shard.index)/\(shard.count))")
        }
    }
}

/// Embeds images into a store (`scaleface embed`, `kind: embed`).
public struct EmbedJob {
    public var options: EmbedOptions
    /// The store to write (`.h5`).
    public var output: String
    public var quiet: Bool
    var threads: Int { options.threads ?? Threads.available }
    /// `<output>.skipped.txt`: `path<TAB>reason` per skipped image (written only when skipping).
    public var skippedListPath: String { output + ".skipped.txt" }

    public init(_ options: EmbedOptions, output: String, quiet: Bool) {
        self.options = options
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
        var paths = try Self.readList(options.list.path)
        var labelValues = try options.labels.map { try Self.readLabels($0.path, count: paths.count) }
        if let shard = options.shard {
            // Slice boundaries fall on whole batches, so every shard forms the batches an
            // unsharded run would, and the merged shards equal its store bit for bit.
            let n = paths.count
            func boundary(_ i: Int) -> Int { i == shard.count ? n : min(n, (i * n / shard.count) / options.batch * options.batch) }
            let slice = boundary(shard.index)..<boundary(shard.index + 1)
            paths = Array(paths[slice])
            labelValues = labelValues.map { Array($0[slice]) }
        }
        let aligner = try options.landmarks.map { try LandmarkAligner(path: $0.path, size: options.inputSize) }
        if options.skipBadImages {
            let bad = badImages(paths, size: options.inputSize, aligner: aligner)
            let keep = paths.indices.filter { bad[paths[$0]] == nil }
            paths = keep.map { paths[$0] }
            labelValues = labelValues.map { l in keep.map { l[$0] } }
            let listing = bad.keys.sorted().map { "\($0)\t\(bad[$0]!)" }.joined(separator: "\n")
            try writeText(listing.isEmpty ? "" : listing + "\n", to: skippedListPath)
            if !bad.isEmpty {
                Log(quiet: quiet).plain("embed: skipping \(bad.count) unreadable images (listed in \(skippedListPath))")
            }
            guard !paths.isEmpty else { throw InputError(file: options.list.path, "no readable image in the list") }
        }
        if options.strategies.items.contains(.gan) {
            try GANPass.checkBatches(count: paths.count, batch: options.batch, list: options.list.path)
        }
        let modelSettings = try EmbedModelSettings(arch: options.arch, scaleActivation: options.scaleActivation,
                                              scaleCoefficient: options.scaleCoefficient, configPath: options.config?.path,
                                              strategies: options.strategies.items)
        for line in modelSettings.overrides { Log(quiet: quiet).plain(line) }
        let model = try EmbeddingModel(checkpoint: options.checkpoint.path, arch: modelSettings.arch, strategies: options.strategies.items,
                                       scaleActivation: modelSettings.scaleActivation, scaleCoefficient: modelSettings.scaleCoefficient,
                                       inputSize: options.inputSize, preprocess: options.preprocess,
                                       config: modelSettings.config)
        let gan = try GANPass(options)
        let blurred = BlurredPass(options)
        let config = model.backbone.config
        let pairClassifier = try EmbedClassifier.load(options, embeddingSize: config.embeddingSize)
        let infos = options.perImageStrategies.map {
            StrategyInfo(name: $0.rawValue, width: model.width(of: $0), mode: $0.isConfidence ? .confidence : .uncertainty)
        }
        let schema = StoreSchema(dimension: config.embeddingSize,
                                 model: "\(modelSettings.arch) \(URL(fileURLWithPath: options.checkpoint.path).lastPathComponent)",
                                 preprocessing: options.preprocess.rawValue, strategies: infos,
                                 bottleneckWidth: options.keepBottleneck ? config.bottleneckWidth : nil, bottleneckHalf: true)
        if options.restart { unlink(StoreFormat.partialPath(for: output)) }
        // An interrupted run with the same settings continues after its last committed batch;
        // batches keep their boundaries, so the result is bit-identical to an uninterrupted run.
        // A rerun with another value of a setting in `runSettings` is refused, leaving the
        // partial store as it is (docs/store.md, "Completeness and resuming").
        let settings = runSettings(paths: paths) + (gan.map { [$0.runSetting] } ?? []) + (blurred.map { [$0.runSetting] } ?? [])
        let writer = try EmbeddingStoreWriter.resume(at: output, schema: schema, paths: paths, labels: labelValues,
                                                     settings: settings)
            ?? EmbeddingStoreWriter.create(at: output, schema: schema, paths: paths, labels: labelValues,
                                           settings: settings)
        if writer.committedRows > 0 {
            Log(quiet: quiet).plain("embed: continuing \(output) after \(writer.committedRows) of \(paths.count) committed images")
        }
        do {
            try embed(paths, model: model, gan: gan, blurred: blurred, aligner: aligner, writer: writer)
            try pairClassifier?.write(into: writer)
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return paths.count
    }

    /// The settings besides the store schema that decide which image lands in which row, or
    /// the bits of its row, recorded in the partial store (docs/store.md, "Completeness and
    /// resuming"). A row's bits depend on the batch it was computed in and on how the batch
    /// is split between threads, so batch size and thread count must not change on resume;
    /// the shard and the list (after sharding and skipping bad images) decide the rows. An
    /// unsharded run is recorded as shard 0/1, which is the whole list.
    func runSettings(paths: [String]) -> [RunSetting] {
        let shard = options.shard ?? Shard(index: 0, count: 1)
        return [
            RunSetting(key: "run_shard", name: "shard", value: .string("\(shard.index)/\(shard.count)")),
            RunSetting(key: "run_batch_size", name: "batch size", value: .int(Int64(options.batch))),
            RunSetting(key: "run_threads", name: "thread count", value: .int(Int64(max(1, threads)))),
            RunSetting(key: "run_image_list_sha256", name: "image list",
                       value: .string(sha256Hex(Data(paths.map { $0 + "\n" }.joined().utf8)))),
        ]
    }

    private func embed(_ paths: [String], model: EmbeddingModel, gan: GANPass?, blurred: BlurredPass?, aligner: LandmarkAligner?,
                       writer: EmbeddingStoreWriter) throws {
        let size = model.backbone.config.inputSize
        let workspace = Workspace(threads: max(1, threads))
        // Whole batches from the start of the list, so a resumed run forms the same batches.
        var start = writer.committedRows - writer.committedRows % options.batch
        let progress = ProgressLine(label: "embed", total: paths.count, quiet: quiet, alreadyDone: start)
        func batch(at first: Int) -> Range<Int> { first..<min(paths.count, first + options.batch) }
        // The next batch is decoded on another thread while the network runs on this one.
        let decoder = DispatchQueue(label: "scaleface.embed.decode")
        let next = DecodedBatchSlot()
        let ready = DispatchSemaphore(value: 0)
        func prefetch(_ rows: Range<Int>) {
            decoder.async {
                next.result = Result { try self.decode(paths[rows], size: size, aligner: aligner, gan: gan != nil, blurred: blurred) }
                ready.signal()
            }
        }
        if start < paths.count { prefetch(batch(at: start)) }
        while start < paths.count {
            let rows = batch(at: start)
            ready.wait()
            let input = try next.result!.get()
            if rows.upperBound < paths.count { prefetch(batch(at: rows.upperBound)) }
            let out = model.backbone.forward(input.network, batch: rows.count, workspace: workspace)
            var values: [String: [Float]] = [:]
            for s in options.perImageStrategies where s.fromBackboneOutput {
                values[s.rawValue] = model.values(of: s, out, input: input.network, workspace: workspace)
            }
            if rows.lowerBound >= writer.committedRows {
                if let gan { values[EmbedStrategy.gan.rawValue] = gan.values(input.gan, batch: rows.count) }
                if blurred != nil {
                    values[EmbedStrategy.blurredScale.rawValue] = BlurredPass.values(input.blurred, batch: rows.count,
                                                                                    model: model, workspace: workspace)
                }
                try writer.append(embeddings: out.feature, uncertainties: values,
                                  bottleneck: options.keepBottleneck ? out.bottleneck : nil)
            }
            start = rows.upperBound
            progress.update(start)
        }
        progress.finish()
    }

    /// The images that cannot be decoded, aligned or cropped, with the reason; checked on all cores.
    private func badImages(_ paths: [String], size: Int, aligner: LandmarkAligner?) -> [String: String] {
        let reasons = (try? parallelMap(paths.count) { i -> String? in
            do {
                _ = try decode(paths[i...i], size: size, aligner: aligner, gan: false, blurred: nil)
                return nil
            } catch {
                return "\(error)".replacingOccurrences(of: "\n", with: " ")
            }
        }) ?? []
        var bad: [String: String] = [:]
        for (p, r) in zip(paths, reasons) where r != nil { bad[p] = r }
        return bad
    }

    /// Planar, preprocessed network input for a batch of images, `[n, 3, size, size]`, and with
    /// `gan` the discriminator's input of the uncropped images (`GANPass.input`), with
    /// `blurred` the blurred crops (`BlurredPass.input`).
    private func decode(_ paths: ArraySlice<String>, size: Int, aligner: LandmarkAligner?, gan: Bool,
                        blurred: BlurredPass?) throws -> DecodedBatch {
        var input = [Float](repeating: 0, count: paths.count * 3 * size * size)
        var blurredInput = [Float](repeating: 0, count: blurred == nil ? 0 : input.count)
        var ganInput: [Float] = []
        for (i, p) in paths.enumerated() {
            let file = URL(fileURLWithPath: options.images.path).appendingPathComponent(p).path
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
            if gan { ganInput += GANPass.input(aligner == nil ? decoded : image) }
            if let blurred {
                blurredInput.withUnsafeMutableBufferPointer {
                    blurred.input(image, preprocess: options.preprocess, into: $0.baseAddress! + i * 3 * size * size)
                }
            }
            image.pixels.withUnsafeBufferPointer { rgb in
                input.withUnsafeMutableBufferPointer {
                    options.preprocess.planar(rgb: rgb, height: size, width: size, into: $0.baseAddress! + i * 3 * size * size)
                }
            }
        }
        return DecodedBatch(network: input, gan: ganInput, blurred: blurredInput)
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
    var result: Result<DecodedBatch, Error>?
}

/// Slice `index` of `count` contiguous slices of a list (`I/N`, 0-based).
public struct Shard: ExpressibleByArgument, Sendable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public init?(argument: String) {
        let parts = argument.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self = Shard(index: i, count: n)
    }

    public var defaultValueDescription: String { "\(index)/\(count)" }
}
