import Analysis
import Foundation

/// `scaleface reject`: store + image pair list -> results.json / results.csv.
public struct RejectStage {
    public var store: String
    public var pairs: String
    public var pairsFormat: ImagePairFormat = .csv
    public var strategy: String?
    public var metrics: [String]
    public var options: CurveOptions
    public var validationPairs: String?
    /// A list of images left out of the store (`embed --skip-bad-images` writes one:
    /// `path<TAB>reason` per line); pairs that use them are dropped instead of being errors.
    public var excludedImages: String?
    public var out: String
    public var quiet = false

    public init(store: String, pairs: String, strategy: String?, metrics: [String], options: CurveOptions, out: String) {
        self.store = store
        self.pairs = pairs
        self.strategy = strategy
        self.metrics = metrics
        self.options = options
        self.out = out
    }

    @discardableResult
    public func run() throws -> EvaluationResults {
        let log = StageLog(quiet: quiet)
        let parsed = try metrics.map { try PairMetric(name: $0) }
        let inputs = try EvaluationInputs.load(store: store, strategy: strategy, seed: options.seed)
        let index = ImageKeyIndex(paths: inputs.paths)
        let excluded = try excludedImages.map { file in
            Set(try readTextLines(file).map { String($0.text.split(separator: "\t", maxSplits: 1)[0]) })
        } ?? []
        var dropped = 0
        let table = try readImagePairs(pairs, format: pairsFormat, index: index, excluded: excluded, dropped: &dropped)
        if dropped > 0 { log("dropped \(dropped) pairs that use the \(excluded.count) images left out of the store") }
        log("\(table.count) pairs (\(table.positives) genuine) over \(inputs.paths.count) stored images")
        let val = try validationPairs.map { try readImagePairs($0, format: pairsFormat, index: index, excluded: excluded) }
        let results = try evaluateImagePairs(inputs: inputs, pairs: table, metrics: parsed, options: options,
                                             validationPairs: val, log: log)
        try results.write(to: out)
        log("wrote \(out)/results.json and results.csv")
        return results
    }
}

/// `scaleface fusion`: store + IJB-C protocol -> template verification and reject curves.
public struct FusionStage {
    public var store: String
    public var protocolDirectory: String
    public var protocolFormat: TemplateProtocolFormat
    public var strategy: String?
    public var verification: [String]
    public var reject: [String]
    public var options: CurveOptions
    public var equalUncertaintyEnroll = false
    public var seed: UInt64 = 0
    /// A store of flipped-image embeddings summed into the images' before fusion.
    public var flipFeatures: String?
    public var out: String
    public var quiet = false

    public init(store: String, protocolDirectory: String, protocolFormat: TemplateProtocolFormat, strategy: String?,
                verification: [String], reject: [String], options: CurveOptions, out: String) {
        self.store = store
        self.protocolDirectory = protocolDirectory
        self.protocolFormat = protocolFormat
        self.strategy = strategy
        self.verification = verification
        self.reject = reject
        self.options = options
        self.out = out
    }

    @discardableResult
    public func run() throws -> EvaluationResults {
        let log = StageLog(quiet: quiet)
        let fusionOptions = FusionOptions(
            verification: try verification.map { try FusionMetric(name: $0, withUncertainty: false) },
            reject: try reject.map { try FusionMetric(name: $0, withUncertainty: true) },
            curve: options, equalUncertaintyEnroll: equalUncertaintyEnroll, seed: seed)
        guard !fusionOptions.verification.isEmpty || !fusionOptions.reject.isEmpty else {
            throw AnalysisError.invalidArgument("nothing to do: give --fusions and/or --reject-metrics")
        }
        // image embeddings live only inside this closure, so they are freed before pair scoring
        let (fused, pairs, storedMode, subjects) = try { () throws
            -> ([FusionMethod: FusedTemplates], PairIndex, Analysis.UncertaintyMode?, [Int64]?) in
            // the protocol first: its text is freed before the embeddings are loaded
            let index = ImageKeyIndex(paths: try EvaluationInputs.paths(store: store))
            log("indexed \(index.count) image keys")
            let templates = try readTemplateProtocol(directory: protocolDirectory, format: protocolFormat, index: index)
            log("read the \(protocolFormat.rawValue) protocol")
            if !quiet { FileHandle.standardError.write(Data("protocol: \(templates.summary)\n".utf8)) }
            var inputs = try EvaluationInputs.load(store: store, strategy: strategy, seed: options.seed)
            if let flip = flipFeatures { try inputs.addFlipFeatures(store: flip) }
            log("loaded \(inputs.paths.count) images x \(inputs.embeddings.columns) from \(store)")
            let fused = try fuseAll(inputs: inputs, templates: templates, options: fusionOptions, log: log)
            return (fused, templates.pairs, inputs.storedMode, templates.subjects)
        }()
        let results = try evaluateTemplates(fused: fused, pairs: pairs, options: fusionOptions,
                                            storedMode: storedMode, subjects: subjects, log: log)
        try results.write(to: out)
        log("wrote \(out)/results.json and results.csv")
        return results
    }
}
