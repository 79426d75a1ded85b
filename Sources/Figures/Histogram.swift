import CCairo
import Foundation

/// How a histogram divides its x range.
public enum HistogramBins: Equatable, Sendable {
    /// Equal-width bins from the smallest to the largest finite value over all samples.
    case count(Int)
    /// Explicit bin edges, strictly increasing; values outside them are not counted.
    case edges([Double])
}

/// Bin edges and per-sample heights, with numpy's `histogram` semantics: bins are
/// half-open `[e_i, e_{i+1})` except the last, which includes its right edge; with
/// `density` each sample's heights are `count / (total counted * bin width)`.
public struct HistogramTable: Equatable, Sendable {
    public let edges: [Double]
    /// `heights[s][b]`: sample `s`, bin `b`.
    public let heights: [[Double]]
    /// Values of each sample that were counted (finite and within the edges).
    public let counted: [Int]
}

/// One named set of values of a `Histogram`. Non-finite values are skipped.
public struct HistogramSample: Equatable, Sendable {
    public var name: String
    public var values: [Double]
    public var color: RGBColor?

    public init(name: String, values: [Double], color: RGBColor? = nil) {
        self.name = name; self.values = values; self.color = color
    }
}

/// Overlaid histograms of one or more samples, filled semi-transparently with a solid outline.
/// Use cases: scores split by genuine and impostor pairs, pair uncertainties split by label,
/// the 50-bin uncertainty density of a strategy.
public struct Histogram: Figure {
    public var title: String
    public var xLabel: String
    /// Defaults to "count" or "density".
    public var yLabel: String?
    public var samples: [HistogramSample]
    public var bins: HistogramBins
    public var density: Bool
    public var legend: LegendPlacement
    public var width: Double
    public var height: Double
    public var scale: Double

    static let fillAlpha = 0.38

    public init(title: String, xLabel: String, yLabel: String? = nil,
                samples: [HistogramSample] = [], bins: HistogramBins = .count(50),
                density: Bool = false, legend: LegendPlacement = .best,
                width: Double = 1000, height: Double = 700, scale: Double = 1) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.samples = samples
        self.bins = bins; self.density = density; self.legend = legend
        self.width = width; self.height = height; self.scale = scale
    }

    public func logicalSize() throws -> (width: Double, height: Double) { (width, height) }

    public func error(_ p: FigureError.Problem) -> FigureError {
        FigureError(figure: "histogram", title: title, problem: p)
    }

    var frame: ChartFrame {
        ChartFrame(title: title, xLabel: xLabel, yLabel: yLabel ?? (density ? "density" : "count"),
                   width: width, height: height, scale: scale, legendPlacement: legend)
    }

    /// Counts every sample into the bins.
    public func table() throws -> HistogramTable {
        guard !samples.isEmpty else { throw error(.noSeries) }
        // One pass for the finite range of each sample; no copies (score arrays can hold
        // millions of values).
        var lo = Double.infinity, hi = -Double.infinity
        for s in samples {
            var any = false
            for v in s.values where v.isFinite {
                any = true
                lo = min(lo, v); hi = max(hi, v)
            }
            if !any { throw error(.emptySeries(s.name)) }
        }
        let edges: [Double]
        switch bins {
        case .count(let n):
            guard n >= 1 else { throw error(.invalidBins("bin count \(n), expected at least 1")) }
            if lo == hi { lo -= 0.5; hi += 0.5 }
            // Edges as numpy.linspace computes them, so that bin membership matches numpy.
            let step = (hi - lo) / Double(n)
            edges = (0...n).map { $0 == n ? hi : lo + Double($0) * step }
        case .edges(let e):
            guard e.count >= 2, e.allSatisfy({ $0.isFinite }), zip(e, e.dropFirst()).allSatisfy({ $0 < $1 })
            else { throw error(.invalidBins("edges must be at least two finite, strictly increasing values")) }
            edges = e
        }
        let nb = edges.count - 1
        var heights: [[Double]] = []
        var counted: [Int] = []
        for sample in samples {
            var c = [Double](repeating: 0, count: nb)
            var n = 0
            // NaN fails both comparisons, so it is skipped with the out-of-range values.
            for v in sample.values where v >= edges[0] && v <= edges[nb] {
                // Largest i with edges[i] <= v, capped at the last bin (closed on the right).
                var lo = 0, hi = nb
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if edges[mid] <= v { lo = mid } else { hi = mid }
                }
                c[lo] += 1
                n += 1
            }
            if density && n > 0 {
                for b in 0..<nb { c[b] /= Double(n) * (edges[b + 1] - edges[b]) }
            }
            heights.append(c)
            counted.append(n)
        }
        return HistogramTable(edges: edges, heights: heights, counted: counted)
    }

    func color(_ i: Int) -> RGBColor { samples[i].color ?? Palette.color(i) }

    func legendBox() -> Legend {
        Legend(entries: samples.indices.map {
            LegendEntry(label: samples[$0].name, color: color($0), swatch: .patch(alpha: Histogram.fillAlpha))
        })
    }

    /// Checks the samples and computes where everything goes; y starts at 0.
    public func layout() throws -> ChartLayout {
        try frame.validate(error)
        return try layout(table())
    }

    func layout(_ t: HistogramTable) -> ChartLayout {
        let top = t.heights.map { $0.max() ?? 0 }.max() ?? 0
        let xAxis = AxisScale.linear(dataMin: t.edges.first!, dataMax: t.edges.last!, range: nil, padding: 0.02)
        let yAxis = AxisScale.linear(dataMin: 0, dataMax: top > 0 ? top : 1, range: nil,
                                     padding: 0.06, padLower: false)
        return frame.layout(x: xAxis, y: yAxis, legend: legendBox()) { plot, xa, ya in
            // Bars are solid areas: sample them on a 4-pixel grid for legend placement.
            var pts: [(Double, Double)] = []
            for h in t.heights {
                for b in 0..<h.count where h[b] > 0 {
                    let x0 = plot.x + plot.width * xa.fraction(t.edges[b])
                    let x1 = plot.x + plot.width * xa.fraction(t.edges[b + 1])
                    let yTop = plot.maxY - plot.height * ya.fraction(h[b])
                    var x = x0
                    while x <= x1 {
                        var y = plot.maxY
                        while y >= yTop { pts.append((x, y)); y -= 4 }
                        x += 4
                    }
                }
            }
            return pts
        }
    }

    public func draw(on canvas: FigureCanvas) throws {
        try frame.validate(error)
        let t = try table()
        let l = layout(t)
        let f = frame
        f.drawGrid(canvas, l)
        let cr = canvas.cr
        canvas.clipped(to: l.plotRect) {
            for (i, h) in t.heights.enumerated() {
                let c = color(i)
                let base = l.point(x: t.edges[0], y: 0).y
                canvas.setColor(c, alpha: Histogram.fillAlpha)
                for b in 0..<h.count where h[b] > 0 {
                    let p0 = l.point(x: t.edges[b], y: h[b]), p1 = l.point(x: t.edges[b + 1], y: 0)
                    cairo_rectangle(cr, p0.x, p0.y, p1.x - p0.x, base - p0.y)
                }
                cairo_fill(cr)
                // Outline as a step curve so that overlapping samples stay readable.
                canvas.setColor(c)
                cairo_set_line_width(cr, 1.6)
                cairo_move_to(cr, l.point(x: t.edges[0], y: 0).x, base)
                for b in 0..<h.count {
                    let p0 = l.point(x: t.edges[b], y: h[b]), p1 = l.point(x: t.edges[b + 1], y: h[b])
                    cairo_line_to(cr, p0.x, p0.y)
                    cairo_line_to(cr, p1.x, p1.y)
                }
                cairo_line_to(cr, l.point(x: t.edges.last!, y: 0).x, base)
                cairo_stroke(cr)
            }
        }
        f.drawAxes(canvas, l)
        if let box = l.legendRect { legendBox().draw(canvas, in: box) }
    }
}
