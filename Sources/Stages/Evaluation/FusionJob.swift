import Analysis
import ArgumentParser
import Core
import Datasets
import Foundation
import Pipeline

/// The options of `scaleface fusion` and of `kind: fusion`.
public struct FusionOptions: ParsableArguments, Sendable {
    @Option(help: "The embedding store (.h5).")
    public var store: InputFile
    @Option(help: "Folder with the protocol files.")
    public var `protocol`: InputFolder
    @Option(help: "reference, ijbc, insightface, insightface-ijbb or ijba (docs/protocols.md).")
    public var protocolFormat: TemplateProtocolFormat = .insightface
    @Option(help: "Comma-separated fusion_distance names for template verification.")
    public var fusions: CommaList<String> = []
    @Option(help: "Comma-separated fusion_distance_uncertainty names for template reject curves.")
    public var rejectMetrics: CommaList<String> = []
    @Flag(help: "Template versus single image: enrolment fused with the metric's method, verification with first; the enrolment uncertainty is 1 in the rejection order only (docs/metrics.md).")
    public var equalUncertaintyEnroll = false
    @Option(help: "A validation protocol (same format) giving the biased-cosine bias of each fusion (or give --bias).")
    public var valProtocol: InputFolder?
    @Option(help: "A store of flipped-image embeddings, summed into the images' before fusion.")
    public var flipFeatures: InputFile?
    @OptionGroup public var curve: CurveParameters

    public init() {}

    public func validate() throws {
        guard !fusions.items.isEmpty || !rejectMetrics.items.isEmpty else {
            throw ValidationError("nothing to do: give fusions and/or reject metrics")
        }
        if valProtocol != nil && curve.bias != nil {
            throw ValidationError("give either --bias or --val-protocol, not both")
        }
    }
}

/// Template fusion on an IJB-C style protocol: store + protocol -> template verification and
/// template reject curves (results.json / results.csv).
public struct FusionJob {
    public var options: FusionOptions

    public init(_ options: FusionOptions) { self.options = options }

    @discardableResult
    public func run(out: String, log: Log) throws -> EvaluationResults {
        if options.protocolFormat == .ijba { return try IJBAFoldJob(options).run(out: out, log: log) }  // 10 folds
        let curve = options.curve.curveOptions
        var fusionOptions = FusionEvaluationOptions(
            verification: try options.fusions.items.map { try FusionMetric(name: $0, withUncertainty: false) },
            reject: try options.rejectMetrics.items.map { try FusionMetric(name: $0, withUncertainty: true) },
            curve: curve, equalUncertaintyEnroll: options.equalUncertaintyEnroll, seed: curve.seed)
        let store = options.store.path, format = options.protocolFormat
        let classify = try EvaluationClassifier.required(
            by: (fusionOptions.verification + fusionOptions.reject).first(where: \.needsClassifier)?.description,
            option: options.curve.pairClassifier?.path, store: store, log: log)
        // image embeddings live only inside this closure, so they are freed before pair scoring
        let biased = !fusionOptions.biasedFusions.isEmpty
        if options.valProtocol != nil && !biased { log("no biased-cosine metric: the validation protocol is not read") }
        let (fused, pairs, storedMode, subjects, biases) = try { () throws
            -> ([FusionMethod: FusedTemplates], PairIndex, UncertaintyMode?, [Int64]?, [FusionMethod: Double]) in
            // the protocol first: its text is freed before the embeddings are loaded
            let index = ImageKeyIndex(paths: try EvaluationInputs.paths(store: store))
            log("indexed \(index.count) image keys")
            let templates = try readTemplateProtocol(directory: options.protocol.path, format: format, index: index)
            log("read the \(format.rawValue) protocol: \(templates.summary)")
            let validation = try options.valProtocol.flatMap { dir -> TemplateProtocol? in
                guard biased else { return nil }
                let v = try readTemplateProtocol(directory: dir.path, format: format, index: index)
                log("read the validation protocol \(dir.path): \(v.summary)")
                return v
            }
            var inputs = try EvaluationInputs.load(store: store, strategy: options.curve.strategy, seed: curve.seed)
            if let flip = options.flipFeatures { try inputs.addFlipFeatures(store: flip.path) }
            log("loaded \(inputs.paths.count) images x \(inputs.embeddings.columns) from \(store)")
            let biases = try validation.map { try validationBiases(inputs: inputs, validation: $0, options: fusionOptions,
                                                                   log: log) } ?? [:]
            let fused = try fuseAll(inputs: inputs, templates: templates, options: fusionOptions, log: log)
            return (fused, templates.pairs, inputs.storedMode, templates.subjects, biases)
        }()
        fusionOptions.biases = biases
        let results = try evaluateTemplates(fused: fused, pairs: pairs, options: fusionOptions,
                                            storedMode: storedMode, subjects: subjects, pairClassifier: classify, log: log)
        try results.write(to: out)
        log("wrote \(out)/results.json and results.csv")
        return results
    }
}
