import ArgumentParser
import Core
import Imaging
import Figures
import Foundation
import Pipeline
import Store

/// The distribution of one strategy's per-image values over a store (docs/metrics.md):
/// the values, a 50-bin density histogram, and random images from the most and the least
/// certain deciles (the paper's Figure 2).
public struct UncertaintyDistribution {
    public var strategy: String
    public var mode: UncertaintyMode
    /// One value per image: the stored value for scalar strategies; for vector strategies
    /// (PFE's `sigma^2`, k = 512) the harmonic mean over the vector, the reduction the
    /// reference's `harmonic-*` pair uncertainties use.
    public var values: [Float]

    public init(strategy: String, mode: UncertaintyMode, values: [Float], width: Int) {
        self.strategy = strategy
        self.mode = mode
        if width == 1 {
            self.values = values
        } else {
            self.values = stride(from: 0, to: values.count, by: width).map { start in
                var inverse = 0.0
                for v in values[start..<(start + width)] { inverse += 1 / Double(v) }
                return Float(Double(width) / inverse)
            }
        }
    }

    /// Image rows ordered from most to least certain: ascending uncertainty, or descending
    /// confidence. Stable: equal values keep row order.
    public var certaintyOrder: [Int] {
        let idx = Array(values.indices)
        switch mode {
        case .uncertainty: return idx.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        case .confidence: return idx.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
        }
    }

    /// `count` distinct random rows from the most certain tenth and from the least certain tenth.
    public func decileSamples(count: Int, seed: UInt64) -> (mostCertain: [Int], leastCertain: [Int]) {
        let order = certaintyOrder
        let tenth = max(1, order.count / 10)
        var rng = SplitMix64(seed: seed)
        func pick(_ rows: ArraySlice<Int>) -> [Int] {
            var pool = Array(rows)
            var chosen: [Int] = []
            while !pool.isEmpty && chosen.count < count {
                chosen.append(pool.remove(at: Int(rng.next() % UInt64(pool.count))))
            }
            return chosen
        }
        return (pick(order.prefix(tenth)), pick(order.suffix(tenth)))
    }
}

/// `scaleface distribution`: for each strategy, `<name>.npy` (one float32 value per image,
/// in store order), `<name>_histogram.png` (50-bin density) and, when an image root is
/// given, `<name>_deciles.png` with random faces from the most and least certain deciles.
/// The options of `scaleface distribution` and of `kind: distribution`.
public struct DistributionOptions: ParsableArguments, Sendable {
    @Option(help: "The store.")
    public var store: InputFile
    @Option(help: "Comma-separated strategy names (default: all).")
    public var strategies: CommaList<String> = []
    @Option(help: "Folder the store's image paths are relative to, for the decile image grids.")
    public var images: InputFolder?
    @Option(help: "Histogram bins.")
    public var bins = 50
    @Option(help: "Seed of the random decile images.")
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        guard bins >= 1 else { throw ValidationError("the histogram needs at least 1 bin") }
    }
}

public struct DistributionJob {
    public var options: DistributionOptions
    public var output: String
    public var imagesPerRow = 8

    public init(_ options: DistributionOptions, output: String) {
        self.options = options
        self.output = output
    }

    /// Returns the figures written, for reports.
    @discardableResult
    public func run(log: (String) -> Void = { _ in }) throws -> [FigureEntry] {
        let store = options.store.path, imageRoot = options.images?.path, bins = options.bins
        let s = try EmbeddingStore.open(store)
        let names = options.strategies.items.isEmpty ? s.strategies.map(\.name) : options.strategies.items
        guard !names.isEmpty else { throw InputError(file: store, "the store has no uncertainty strategies") }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let paths = imageRoot == nil ? [] : try s.paths()
        var figures: [FigureEntry] = []
        for name in names {
            let u = try s.uncertainty(named: name)
            let d = UncertaintyDistribution(strategy: name, mode: u.mode, values: u.values, width: u.width)
            let file = { (n: String) in (output as NSString).appendingPathComponent(n) }
            try NpyFile.write(d.values, shape: [d.values.count], to: file("\(name).npy"))
            let reduced = u.width > 1 ? " (harmonic mean over \(u.width) values)" : ""
            try Histogram(title: "Distribution of \(name)", xLabel: "\(name) \(u.mode.rawValue)\(reduced)",
                          yLabel: "density", samples: [HistogramSample(name: "\(d.values.count) images", values: d.values.map(Double.init))],
                          bins: .count(bins), density: true).writePNG(to: file("\(name)_histogram.png"))
            figures.append(FigureEntry(file: "\(name)_histogram.png", title: "Distribution of \(name)",
                                       caption: "\(bins)-bin density histogram of the per-image \(u.mode.rawValue) `\(name)`\(reduced) over \(d.values.count) images."))
            if let root = imageRoot {
                let (best, worst) = d.decileSamples(count: imagesPerRow, seed: options.seed)
                func row(_ title: String, _ rows: [Int]) throws -> ImageGrid.Row {
                    let images = try rows.map { try RGBImage.decode(path: (root as NSString).appendingPathComponent(paths[$0])) }
                    return ImageGrid.Row(title: title, images: images, captions: rows.map { String(format: "%.3g", d.values[$0]) })
                }
                try ImageGrid(title: "\(name): random images from the extreme deciles",
                              rows: [try row("most certain 10 %", best), try row("least certain 10 %", worst)])
                    .writePNG(to: file("\(name)_deciles.png"))
                figures.append(FigureEntry(file: "\(name)_deciles.png", title: "\(name): most and least certain images",
                                           caption: "Random images from the decile the model is most sure about (top) and least sure about (bottom), with their `\(name)` values, as in the paper's Figure 2."))
            }
            log("\(name): \(d.values.count) values, min \(d.values.min() ?? 0), max \(d.values.max() ?? 0)")
        }
        try FigureEntry.writeManifest(figures, to: output)
        return figures
    }
}
