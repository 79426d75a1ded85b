import Analysis
import Foundation

/// Parameters shared by the reject and fusion stage kinds (the commands' options).
enum CurveParameters {
    static let specs: [ParameterSpec] = [
        ParameterSpec("strategy", .string, default: .string(""), help: "uncertainty strategy in the store"),
        ParameterSpec("mode", .string, default: .string(""), help: "uncertainty|confidence (default: stored mode)"),
        ParameterSpec("fars", .doubles, default: .list([.double(1e-4), .double(1e-3), .double(1e-2)]), help: "FARs"),
        ParameterSpec("portions", .string, default: .string("0:0.5:250"), help: "rejected portions a:b:n or a list"),
        ParameterSpec("curve", .string, default: .string("tar"), help: "tar or edc"),
        ParameterSpec("pauc_limit", .double, default: .double(0.2), help: "EDC pAUC discard limit"),
        ParameterSpec("bootstrap", .int, default: .int(0), help: "bootstrap replicates"),
        ParameterSpec("seed", .int, default: .int(0), help: "seed"),
    ]

    static func options(_ c: StageContext) throws -> CurveOptions {
        let modeText = c.string("mode")
        var mode: Analysis.UncertaintyMode?
        if !modeText.isEmpty {
            guard let m = Analysis.UncertaintyMode(rawValue: modeText) else {
                throw InputError(file: c.stageName, "parameter 'mode' is '\(modeText)', expected uncertainty or confidence")
            }
            mode = m
        }
        var o = CurveOptions(fars: c.doubles("fars"), portions: try parsePortions(c.string("portions")), mode: mode)
        switch c.string("curve") {
        case "tar": o.edcLimit = nil
        case "edc": o.edcLimit = c.double("pauc_limit")
        default: throw InputError(file: c.stageName, "parameter 'curve' is '\(c.string("curve"))', expected tar or edc")
        }
        o.bootstrap = c.int("bootstrap")
        o.seed = UInt64(c.int("seed"))
        return o
    }

    /// Describes the figures an evaluation wrote under `figures/`, for the report.
    static func writeFigureManifest(_ directory: URL) throws {
        let dir = directory.appendingPathComponent("figures")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        var all: [FigureEntry] = [], reject: [FigureEntry] = [], hist: [FigureEntry] = []
        for f in files {
            let stem = String(f.dropLast(4))
            if stem.hasPrefix("all_far_") {
                let far = stem.dropFirst("all_far_".count)
                all.append(FigureEntry(file: "figures/\(f)", title: "All metrics at FAR \(far)",
                                       caption: "TAR at FAR \(far) against the rejected portion for every metric; the legend gives each curve's AUC."))
            } else if stem.hasSuffix("_reject") {
                let m = stem.dropLast("_reject".count)
                reject.append(FigureEntry(file: "figures/\(f)", title: "`\(m)`: reject curves",
                                          caption: "TAR against the rejected portion, one curve per FAR, AUC in the legend."))
            } else if stem.hasSuffix("_scores") {
                let m = stem.dropLast("_scores".count)
                hist.append(FigureEntry(file: "figures/\(f)", title: "`\(m)`: scores by label",
                                        caption: "Density of pair scores for genuine and impostor pairs."))
            } else if stem.hasSuffix("_uncertainty") {
                let m = stem.dropLast("_uncertainty".count)
                hist.append(FigureEntry(file: "figures/\(f)", title: "`\(m)`: pair uncertainties by label",
                                        caption: "Density of pair uncertainties for genuine and impostor pairs."))
            } else {
                hist.append(FigureEntry(file: "figures/\(f)", title: stem.replacingOccurrences(of: "_", with: " "), caption: ""))
            }
        }
        try FigureEntry.writeManifest(all + reject + hist, to: directory.path)
    }
}

/// `kind: reject`: reject verification over image pairs (`scaleface reject`).
/// Artifact: results.json, results.csv, figures/, figures.json.
public enum RejectKind: StageKind {
    public static let kind = "reject"
    public static let version = 1
    public static let summary = "Reject verification: TAR@FAR as the most uncertain image pairs are rejected."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreProducers.kinds),
        InputSpec("pairs", accepts: [SynthKind.kind, SynthEmbeddingsKind.kind], optional: true),
    ]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("pairs", .string, default: .string("pairs.csv"), help: "pair file (in the `pairs` input, else relative to the pipeline file)"),
        ParameterSpec("pairs_format", .string, default: .string("csv"), help: "csv or lfw"),
        ParameterSpec("metrics", .strings, help: "distance_uncertainty metric names"),
        ParameterSpec("val_pairs", .string, default: .string(""), help: "validation pairs for the biased-cosine bias"),
    ] + CurveParameters.specs

    public static func run(_ c: StageContext) throws {
        let base = c.inputs["pairs"] ?? c.baseDirectory
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        guard let format = ImagePairFormat(rawValue: c.string("pairs_format")) else {
            throw InputError(file: c.stageName, "parameter 'pairs_format' is '\(c.string("pairs_format"))', expected csv or lfw")
        }
        var stage = RejectStage(store: try c.input("store").appendingPathComponent("store.h5").path,
                                pairs: resolve(c.string("pairs")), strategy: c.optionalString("strategy"),
                                metrics: c.strings("metrics"), options: try CurveParameters.options(c), out: c.output.path)
        stage.pairsFormat = format
        stage.validationPairs = c.optionalString("val_pairs").map(resolve)
        // Images an embed stage left out as unreadable: their pairs are dropped, not errors.
        let skipped = try c.input("store").appendingPathComponent("store.h5.skipped.txt").path
        if FileManager.default.fileExists(atPath: skipped) { stage.excludedImages = skipped }
        stage.quiet = c.quiet
        try stage.run()
        try CurveParameters.writeFigureManifest(c.output)
    }
}

/// `kind: fusion`: template fusion and template verification on an IJB-C style protocol
/// (`scaleface fusion`). Artifact: results.json, results.csv, figures/, figures.json.
public enum FusionKind: StageKind {
    public static let kind = "fusion"
    public static let version = 1
    public static let summary = "Template fusion, template verification and template reject curves (IJB-C)."
    public static let inputs: [InputSpec] = [
        InputSpec("store", accepts: StoreProducers.kinds),
        InputSpec("protocol", accepts: [SynthKind.kind], optional: true),
    ]
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("protocol", .string, default: .string("protocol/insightface"),
                      help: "protocol folder (in the `protocol` input, else relative to the pipeline file)"),
        ParameterSpec("protocol_format", .string, default: .string("insightface"), help: "reference, ijbc or insightface"),
        ParameterSpec("fusions", .strings, default: .list([]), help: "fusion_distance names for template verification"),
        ParameterSpec("reject_metrics", .strings, default: .list([]), help: "fusion_distance_uncertainty names"),
        ParameterSpec("equal_uncertainty_enroll", .bool, default: .bool(false), help: "enrollment uncertainty set to 1"),
    ] + CurveParameters.specs

    public static func run(_ c: StageContext) throws {
        let base = c.inputs["protocol"] ?? c.baseDirectory
        let dir = c.string("protocol")
        guard let format = TemplateProtocolFormat(rawValue: c.string("protocol_format")) else {
            throw InputError(file: c.stageName, "parameter 'protocol_format' is '\(c.string("protocol_format"))', expected reference, ijbc or insightface")
        }
        var stage = FusionStage(store: try c.input("store").appendingPathComponent("store.h5").path,
                                protocolDirectory: dir.hasPrefix("/") ? dir : base.appendingPathComponent(dir).path,
                                protocolFormat: format, strategy: c.optionalString("strategy"),
                                verification: c.strings("fusions"), reject: c.strings("reject_metrics"),
                                options: try CurveParameters.options(c), out: c.output.path)
        stage.equalUncertaintyEnroll = c.bool("equal_uncertainty_enroll")
        stage.seed = UInt64(c.int("seed"))
        stage.quiet = c.quiet
        try stage.run()
        try CurveParameters.writeFigureManifest(c.output)
    }
}
