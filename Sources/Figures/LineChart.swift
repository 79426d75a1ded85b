import CCairo
import Foundation

/// A line chart: several named series over shared axes, with grid, legend and title.
/// Use cases: TAR versus rejected portion (one series per FAR), all methods at one FAR with
/// the AUC in each legend label, EDC curves, training loss curves.
///
/// Sizes are logical pixels; the PNG has `width*scale` x `height*scale` pixels. Axis limits
/// are the data range widened by 4 % on each side unless `xRange`/`yRange` fix them; ticks
/// are 1-2-5 multiples (powers of ten when `logX`). `layout()` gives the exact mapping from
/// data to pixels.
public struct LineChart: Figure {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [LineSeries]
    public var logX: Bool
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var legend: LegendPlacement
    public var width: Double
    public var height: Double
    public var scale: Double

    public init(title: String, xLabel: String, yLabel: String, series: [LineSeries] = [],
                logX: Bool = false, xRange: ClosedRange<Double>? = nil,
                yRange: ClosedRange<Double>? = nil, legend: LegendPlacement = .best,
                width: Double = 1000, height: Double = 700, scale: Double = 1) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
        self.logX = logX; self.xRange = xRange; self.yRange = yRange; self.legend = legend
        self.width = width; self.height = height; self.scale = scale
    }

    public func logicalSize() throws -> (width: Double, height: Double) { (width, height) }

    public func error(_ p: FigureError.Problem) -> FigureError {
        FigureError(figure: "line chart", title: title, problem: p)
    }

    var frame: ChartFrame {
        ChartFrame(title: title, xLabel: xLabel, yLabel: yLabel, width: width, height: height,
                   scale: scale, legendPlacement: legend)
    }

    /// The colour and dash each series is drawn with: palette by position, and past the
    /// palette's length a dash pattern so that repeated colours stay distinguishable.
    func appearance(_ i: Int) -> (RGBColor, LineStyle) {
        let s = series[i]
        let color = s.color ?? Palette.color(i)
        var style = s.style
        if style == .solid && s.color == nil {
            let cycle = i / Palette.colors.count
            style = cycle == 0 ? .solid : (cycle == 1 ? .dashed : .dotted)
        }
        return (color, style)
    }

    /// Runs of consecutive drawable points per series (a skipped point ends a run).
    func runs(_ s: LineSeries) -> [[(Double, Double)]] {
        var out: [[(Double, Double)]] = []
        var current: [(Double, Double)] = []
        for (x, y) in zip(s.x, s.y) {
            if x.isFinite && y.isFinite && (!logX || x > 0) {
                current.append((x, y))
            } else if !current.isEmpty {
                out.append(current); current = []
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Checks the series and computes where everything goes.
    public func layout() throws -> ChartLayout {
        try frame.validate(error)
        guard !series.isEmpty else { throw error(.noSeries) }
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            guard s.x.count == s.y.count else {
                throw error(.lengthMismatch(series: s.name, x: s.x.count, y: s.y.count))
            }
            let points = runs(s).joined()
            if points.isEmpty {
                let finite = zip(s.x, s.y).contains { $0.isFinite && $1.isFinite }
                throw error(logX && finite ? .nonPositiveOnLogAxis(series: s.name) : .emptySeries(s.name))
            }
            for (x, y) in points { xs.append(x); ys.append(y) }
        }
        for (name, range) in [("x", xRange), ("y", yRange)] {
            guard let r = range else { continue }
            if !(r.lowerBound.isFinite && r.upperBound.isFinite && r.lowerBound < r.upperBound)
                || (name == "x" && logX && r.lowerBound <= 0) {
                throw error(.invalidRange(axis: name))
            }
        }
        let xAxis = logX
            ? AxisScale.logarithmic(dataMin: xs.min()!, dataMax: xs.max()!, range: xRange)
            : AxisScale.linear(dataMin: xs.min()!, dataMax: xs.max()!, range: xRange)
        let yAxis = AxisScale.linear(dataMin: ys.min()!, dataMax: ys.max()!, range: yRange)
        return frame.layout(x: xAxis, y: yAxis, legend: legendBox()) { plot, xa, ya in
            occupiedPoints(plot: plot, x: xa, y: ya)
        }
    }

    func legendBox() -> Legend {
        Legend(entries: series.indices.map { i in
            let (color, style) = appearance(i)
            return LegendEntry(label: series[i].name, color: color, swatch: .line(style, series[i].marker))
        })
    }

    /// Points along every drawn line, about 3 logical pixels apart, for legend placement.
    func occupiedPoints(plot: Rect, x: AxisScale, y: AxisScale) -> [(Double, Double)] {
        func map(_ p: (Double, Double)) -> (Double, Double) {
            (plot.x + plot.width * x.fraction(p.0), plot.maxY - plot.height * y.fraction(p.1))
        }
        var out: [(Double, Double)] = []
        for s in series {
            for run in runs(s) {
                var prev = map(run[0])
                out.append(prev)
                for p in run.dropFirst() {
                    let q = map(p)
                    let steps = min(400, Int((hypot(q.0 - prev.0, q.1 - prev.1) / 3).rounded(.up)))
                    if steps > 1 {
                        for k in 1..<steps {
                            let t = Double(k) / Double(steps)
                            out.append((prev.0 + t * (q.0 - prev.0), prev.1 + t * (q.1 - prev.1)))
                        }
                    }
                    out.append(q)
                    prev = q
                }
            }
        }
        return out
    }

    public func draw(on canvas: FigureCanvas) throws {
        let l = try layout()
        let f = frame
        f.drawGrid(canvas, l)
        let cr = canvas.cr
        canvas.clipped(to: l.plotRect) {
            for (i, s) in series.enumerated() {
                let (color, style) = appearance(i)
                canvas.setColor(color)
                canvas.setDash(style.dashPattern)
                cairo_set_line_width(cr, FigureStyle.lineWidth)
                for run in runs(s) {
                    let first = l.point(x: run[0].0, y: run[0].1)
                    cairo_move_to(cr, first.x, first.y)
                    for p in run.dropFirst() {
                        let q = l.point(x: p.0, y: p.1)
                        cairo_line_to(cr, q.x, q.y)
                    }
                    if run.count == 1 && s.marker == .none {
                        // A lone point would otherwise be invisible.
                        cairo_new_path(cr)
                        Marker.circle.draw(canvas, at: first.x, first.y)
                    }
                    cairo_stroke(cr)
                }
                canvas.setDash([])
                if s.marker != .none {
                    for run in runs(s) {
                        for p in run {
                            let q = l.point(x: p.0, y: p.1)
                            s.marker.draw(canvas, at: q.x, q.y)
                        }
                    }
                }
            }
        }
        f.drawAxes(canvas, l)
        if let box = l.legendRect { legendBox().draw(canvas, in: box) }
    }
}
