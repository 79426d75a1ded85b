import CCairo

/// How a series' line is stroked.
public enum LineStyle: Equatable, Sendable {
    case solid, dashed, dotted

    var dashPattern: [Double] {
        switch self {
        case .solid: return []
        case .dashed: return [7, 4]
        case .dotted: return [2, 3]
        }
    }
}

/// A symbol drawn at every data point of a series.
public enum Marker: Equatable, Sendable {
    case none, circle, square, triangle

    func draw(_ canvas: FigureCanvas, at x: Double, _ y: Double) {
        let r = FigureStyle.markerRadius
        let cr = canvas.cr
        switch self {
        case .none: return
        case .circle:
            cairo_new_sub_path(cr)
            cairo_arc(cr, x, y, r, 0, 2 * Double.pi)
        case .square:
            cairo_rectangle(cr, x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8)
        case .triangle:
            cairo_move_to(cr, x, y - r * 1.15)
            cairo_line_to(cr, x + r, y + r * 0.75)
            cairo_line_to(cr, x - r, y + r * 0.75)
            cairo_close_path(cr)
        }
        cairo_fill(cr)
    }
}

/// One named curve of a `LineChart`. Points with a non-finite x or y (and, on a log x
/// axis, x <= 0) are skipped and break the line there.
public struct LineSeries: Equatable, Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var style: LineStyle
    public var marker: Marker
    /// Overrides the palette colour chosen from the series' position.
    public var color: RGBColor?

    public init(name: String, x: [Double], y: [Double], style: LineStyle = .solid,
                marker: Marker = .none, color: RGBColor? = nil) {
        self.name = name; self.x = x; self.y = y
        self.style = style; self.marker = marker; self.color = color
    }
}
