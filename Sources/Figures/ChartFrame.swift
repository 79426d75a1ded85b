import CCairo
import Foundation

/// Where a chart's parts sit, in logical pixels (output pixels = logical x `scale`).
///
/// Layout: the plot area is `plotRect`; the frame is drawn just outside it (one logical
/// pixel wide), ticks point outwards, tick labels and axis labels sit below and left of it,
/// the title above it. A data point (x, y) is drawn at
/// `plotRect.x + plotRect.width * xAxis.fraction(x)`,
/// `plotRect.maxY - plotRect.height * yAxis.fraction(y)`.
public struct ChartLayout: Equatable, Sendable {
    public let width: Double
    public let height: Double
    public let scale: Double
    public let plotRect: Rect
    public let xAxis: AxisScale
    public let yAxis: AxisScale
    /// The legend box, nil when hidden.
    public let legendRect: Rect?

    /// Logical position of a data point.
    public func point(x: Double, y: Double) -> (x: Double, y: Double) {
        (plotRect.x + plotRect.width * xAxis.fraction(x),
         plotRect.maxY - plotRect.height * yAxis.fraction(y))
    }

    /// Output pixel (column, row) containing a data point.
    public func pixel(x: Double, y: Double) -> (column: Int, row: Int) {
        let p = point(x: x, y: y)
        return (Int((p.x * scale).rounded(.down)), Int((p.y * scale).rounded(.down)))
    }
}

/// The parts every x-y chart shares: title, axis labels, ticks, grid, frame, legend.
struct ChartFrame {
    var title: String
    var xLabel: String
    var yLabel: String
    var width: Double
    var height: Double
    var scale: Double
    var legendPlacement: LegendPlacement

    static let tickLength = 5.0

    func layout(x: AxisScale, y: AxisScale, legend: Legend,
                occupied: (Rect, AxisScale, AxisScale) -> [(Double, Double)]) -> ChartLayout {
        FigureRenderer.measuring { canvas in
            canvas.setFont(size: FigureStyle.tickLabelSize)
            let yTickWidth = y.ticks.map { canvas.textWidth(y.label($0)) }.max() ?? 0
            let legendSize = legend.size(canvas)
            let top = title.isEmpty ? 20.0 : 24 + FigureStyle.titleSize + 14
            var bottom = ChartFrame.tickLength + 6 + FigureStyle.tickLabelSize + 14
                + (xLabel.isEmpty ? 0 : FigureStyle.axisLabelSize + 12)
            let left = 14 + (yLabel.isEmpty ? 0 : FigureStyle.axisLabelSize + 12)
                + yTickWidth + 6 + ChartFrame.tickLength
            let below = legendPlacement == .below && !legend.entries.isEmpty ? legendSize.height + 12 : 0
            bottom += below
            var right = 30.0
            if legendPlacement == .outsideRight && !legend.entries.isEmpty {
                right += 18 + legendSize.width - 12
            }
            let plot = Rect(x: left.rounded(.up), y: top.rounded(),
                            width: (width - right - left).rounded(.down),
                            height: (height - bottom - top).rounded(.down))
            let legendRect = legend.entries.isEmpty ? nil
                : Legend.place(legendPlacement, size: legendSize, plot: plot,
                               occupied: occupied(plot, x, y))
            return ChartLayout(width: width, height: height, scale: scale, plotRect: plot,
                               xAxis: x, yAxis: y, legendRect: legendRect)
        }
    }

    func validate(_ error: (FigureError.Problem) -> FigureError) throws {
        guard width >= 200, height >= 150, width.isFinite, height.isFinite else {
            throw error(.invalidSize("\(width)x\(height) logical pixels, expected at least 200x150"))
        }
        guard scale > 0, scale <= 8, scale.isFinite else {
            throw error(.invalidSize("scale \(scale), expected in (0, 8]"))
        }
    }

    /// Grid and frame-independent background, drawn before the data.
    func drawGrid(_ canvas: FigureCanvas, _ l: ChartLayout) {
        let p = l.plotRect
        canvas.setDash([])
        canvas.setColor(FigureStyle.gridColor)
        for t in l.xAxis.ticks {
            let x = l.point(x: t, y: l.yAxis.lower).x
            canvas.strokeLine(x, p.y, x, p.maxY, width: 1)
        }
        for t in l.yAxis.ticks {
            let y = l.point(x: l.xAxis.lower, y: t).y
            canvas.strokeLine(p.x, y, p.maxX, y, width: 1)
        }
    }

    /// Frame, ticks, labels and title, drawn after the data.
    func drawAxes(_ canvas: FigureCanvas, _ l: ChartLayout) {
        let p = l.plotRect
        let tl = ChartFrame.tickLength
        canvas.setDash([])
        canvas.setColor(FigureStyle.frameColor)
        // The frame hugs the plot area from outside so that it never hides data pixels.
        canvas.strokeRect(Rect(x: p.x - 0.5, y: p.y - 0.5, width: p.width + 1, height: p.height + 1),
                          width: 1)
        for t in l.xAxis.ticks {
            let x = l.point(x: t, y: l.yAxis.lower).x
            canvas.strokeLine(x, p.maxY + 1, x, p.maxY + 1 + tl, width: 1)
        }
        for t in l.xAxis.minorTicks {
            let x = l.point(x: t, y: l.yAxis.lower).x
            canvas.strokeLine(x, p.maxY + 1, x, p.maxY + 1 + tl * 0.6, width: 0.8)
        }
        for t in l.yAxis.ticks {
            let y = l.point(x: l.xAxis.lower, y: t).y
            canvas.strokeLine(p.x - 1 - tl, y, p.x - 1, y, width: 1)
        }
        canvas.setColor(FigureStyle.textColor)
        canvas.setFont(size: FigureStyle.tickLabelSize)
        for t in l.xAxis.ticks {
            let x = l.point(x: t, y: l.yAxis.lower).x
            canvas.drawText(l.xAxis.label(t), x: x, y: p.maxY + 1 + tl + 5, h: .center, v: .top)
        }
        for t in l.yAxis.ticks {
            let y = l.point(x: l.xAxis.lower, y: t).y
            canvas.drawText(l.yAxis.label(t), x: p.x - 1 - tl - 5, y: y, h: .right, v: .center)
        }
        canvas.setFont(size: FigureStyle.axisLabelSize)
        if !xLabel.isEmpty {
            let y = legendPlacement == .below ? (l.legendRect.map { $0.y - 10 } ?? height - 14) : height - 14
            canvas.drawText(xLabel, x: p.x + p.width / 2, y: y, h: .center, v: .bottom)
        }
        if !yLabel.isEmpty {
            canvas.drawText(yLabel, x: 14, y: p.y + p.height / 2, h: .center, v: .top, rotated: true)
        }
        if !title.isEmpty {
            canvas.setFont(size: FigureStyle.titleSize, bold: true)
            canvas.drawText(title, x: p.x + p.width / 2, y: 24, h: .center, v: .top)
        }
    }
}
