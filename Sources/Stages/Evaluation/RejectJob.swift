import Analysis
import ArgumentParser
import Core
import Datasets
import Foundation
import Pipeline

/// The options of `scaleface reject` and of `kind: reject`.
public struct RejectOptions: ParsableArguments, Sendable {
    @Option(help: "The embedding store (.h5).")
    public var store: InputFile
    @Option(help: "Image pair list: CSV of left,right,label, or LFW's pairs.txt.")
    public var pairs: InputFile
    @Option(help: "csv (left,right,label), lfw (pairs.txt), cross (CPLFW/CALFW pairs_<NAME>.txt, test split; cross-val, cross-all).")
    public var pairsFormat: ImagePairFormat = .csv
    @Option(help: "Comma-separated distance_uncertainty metrics (docs/metrics.md).")
    public var metrics: CommaList<String>
    @Option(help: "Validation pairs giving the biased-cosine bias.")
    public var valPairs: InputFile?
    @Option(help: "Images left out of the store (embed's OUT.skipped.txt); their pairs are dropped.")
    public var excludeImages: InputFile?
    @Flag(help: "Also LFW's 10-fold accuracy over the pairs in file order (docs/metrics.md, \"LFW 10-fold accuracy\").")
    public var tenFold = false
    @OptionGroup public var curve: CurveParameters

    public init() {}

    public func validate() throws {
        guard !metrics.items.isEmpty else { throw ValidationError("no metric given (distance_uncertainty names)") }
    }
}

/// Reject verification over image pairs: store + pair list -> results.json / results.csv.
public struct RejectJob {
    public var options: RejectOptions

    public init(_ options: RejectOptions) { self.options = options }

    @discardableResult
    public func run(out: String, log: Log) throws -> EvaluationResults {
        let parsed = try options.metrics.items.map { try PairMetric(name: $0) }
        let curve = options.curve.curveOptions
        let classify = try EvaluationClassifier.required(by: parsed.first(where: \.needsClassifier)?.description,
                                                         option: options.curve.pairClassifier?.path,
                                                         store: options.store.path, log: log)
        let inputs = try EvaluationInputs.load(store: options.store.path, strategy: options.curve.strategy, seed: curve.seed)
        let index = ImageKeyIndex(paths: inputs.paths)
        let excluded = try options.excludeImages.map { file in
            Set(try readTextLines(file.path).map { String($0.text.split(separator: "\t", maxSplits: 1)[0]) })
        } ?? []
        var dropped = 0
        let table = try readImagePairs(options.pairs.path, format: options.pairsFormat, index: index,
                                       excluded: excluded, dropped: &dropped)
        if dropped > 0 { log("dropped \(dropped) pairs that use the \(excluded.count) images left out of the store") }
        log("\(table.count) pairs (\(table.positives) genuine) over \(inputs.paths.count) stored images")
        let val = try options.valPairs.map {
            try readImagePairs($0.path, format: options.pairsFormat.validationFormat, index: index, excluded: excluded)
        }
        var results = try evaluateImagePairs(inputs: inputs, pairs: table, metrics: parsed, options: curve,
                                             validationPairs: val, pairClassifier: classify, log: log)
        if options.tenFold {
            let t = try tenFoldResult(inputs.embeddings, pairs: table)
            log("10-fold accuracy \(t.mean) +- \(t.std)")
            results.tenFold = t
        }
        try results.write(to: out)
        log("wrote \(out)/results.json and results.csv")
        return results
    }
}
