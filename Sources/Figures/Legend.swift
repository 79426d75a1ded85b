import CCairo

/// Where a chart's legend goes. `.best` picks the inside corner covering the fewest drawn
/// data points (ties prefer upper right, upper left, lower right, lower left).
public enum LegendPlacement: Equatable, Sendable {
    case best, upperRight, upperLeft, lowerRight, lowerLeft
    /// To the right of the plot area, which narrows to make room (for many or long entries).
    case outsideRight
    /// Under the x-axis label, left-aligned with the plot area, which shortens to make room
    /// (never covers a curve; for long entries in narrow panels).
    case below
    case hidden
}

/// One legend row: a line sample (with its dash and marker) or a filled patch.
struct LegendEntry {
    enum Swatch { case line(LineStyle, Marker), patch(alpha: Double) }
    var label: String
    var color: RGBColor
    var swatch: Swatch
}

struct Legend {
    static let padding = 9.0
    static let rowHeight = 21.0
    static let swatchWidth = 30.0
    static let gap = 8.0
    static let inset = 10.0
    /// `.below`: from the plot's bottom edge to the legend's top (ticks, tick labels, x label).
    static let belowOffset = ChartFrame.tickLength + 6 + FigureStyle.tickLabelSize + 14 + FigureStyle.axisLabelSize + 18

    var entries: [LegendEntry]

    func size(_ canvas: FigureCanvas) -> (width: Double, height: Double) {
        canvas.setFont(size: FigureStyle.legendSize)
        let text = entries.map { canvas.textWidth($0.label) }.max() ?? 0
        return (Legend.padding * 2 + Legend.swatchWidth + Legend.gap + text,
                Legend.padding * 2 - 4 + Legend.rowHeight * Double(entries.count))
    }

    /// The legend box for `placement` inside `plot`, given the data points drawn there.
    static func place(_ placement: LegendPlacement, size: (width: Double, height: Double),
                      plot: Rect, occupied: [(Double, Double)]) -> Rect? {
        func corner(_ p: LegendPlacement) -> Rect {
            let left = plot.x + inset, right = plot.maxX - inset - size.width
            let top = plot.y + inset, bottom = plot.maxY - inset - size.height
            switch p {
            case .upperLeft: return Rect(x: left, y: top, width: size.width, height: size.height)
            case .lowerRight: return Rect(x: right, y: bottom, width: size.width, height: size.height)
            case .lowerLeft: return Rect(x: left, y: bottom, width: size.width, height: size.height)
            default: return Rect(x: right, y: top, width: size.width, height: size.height)
            }
        }
        switch placement {
        case .hidden: return nil
        case .outsideRight:
            return Rect(x: plot.maxX + 18, y: plot.y, width: size.width, height: size.height)
        case .below:
            return Rect(x: plot.x, y: plot.maxY + belowOffset, width: size.width, height: size.height)
        case .best:
            var best = corner(.upperRight), bestCount = Int.max
            for p in [LegendPlacement.upperRight, .upperLeft, .lowerRight, .lowerLeft] {
                let r = corner(p)
                let count = occupied.reduce(0) { $0 + (r.contains($1.0, $1.1) ? 1 : 0) }
                if count < bestCount { best = r; bestCount = count }
            }
            return best
        default:
            return corner(placement)
        }
    }

    func draw(_ canvas: FigureCanvas, in box: Rect) {
        let cr = canvas.cr
        canvas.setColor(.init(hex: 0xFFFFFF), alpha: 0.92)
        canvas.fillRect(box)
        canvas.setColor(.init(hex: 0xB0B0B0))
        canvas.setDash([])
        canvas.strokeRect(box, width: 1)
        canvas.setFont(size: FigureStyle.legendSize)
        for (i, e) in entries.enumerated() {
            let cy = box.y + Legend.padding - 2 + Legend.rowHeight * (Double(i) + 0.5)
            let sx = box.x + Legend.padding
            switch e.swatch {
            case .line(let style, let marker):
                canvas.setColor(e.color)
                canvas.setDash(style.dashPattern)
                canvas.strokeLine(sx, cy, sx + Legend.swatchWidth, cy, width: FigureStyle.lineWidth)
                canvas.setDash([])
                marker.draw(canvas, at: sx + Legend.swatchWidth / 2, cy)
            case .patch(let alpha):
                let r = Rect(x: sx, y: cy - 7, width: Legend.swatchWidth, height: 14)
                canvas.setColor(e.color, alpha: alpha)
                canvas.fillRect(r)
                canvas.setColor(e.color)
                canvas.strokeRect(r, width: 1.5)
            }
            canvas.setColor(FigureStyle.textColor)
            canvas.drawText(e.label, x: sx + Legend.swatchWidth + Legend.gap, y: cy, v: .center)
        }
        cairo_new_path(cr)
    }
}
