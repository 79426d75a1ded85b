import CCairo

/// Line charts side by side in one picture, each panel with its own axes, title and legend
/// (matplotlib's `subplots(ncols: n)`). Use case: the template-versus-single-image figure,
/// one panel per FAR. Panels are laid out left to right in `columns` columns, row by row;
/// each panel keeps its own `width` x `height` (logical pixels) and the figure's `scale`
/// applies to all of them (a panel's own `scale` is not used).
public struct ChartPanels: Figure {
    public var panels: [LineChart]
    public var columns: Int
    public var scale: Double

    public init(panels: [LineChart], columns: Int? = nil, scale: Double = 1) {
        self.panels = panels
        self.columns = max(1, columns ?? panels.count)
        self.scale = scale
    }

    public func error(_ p: FigureError.Problem) -> FigureError {
        FigureError(figure: "chart panels", title: panels.map(\.title).joined(separator: " | "), problem: p)
    }

    /// The top-left corner of each panel, in logical pixels.
    public func origins() -> [(x: Double, y: Double)] {
        let cellWidth = panels.map(\.width).max() ?? 0, cellHeight = panels.map(\.height).max() ?? 0
        return panels.indices.map { i in (Double(i % columns) * cellWidth, Double(i / columns) * cellHeight) }
    }

    public func logicalSize() throws -> (width: Double, height: Double) {
        guard !panels.isEmpty else { throw error(.noSeries) }
        let rows = (panels.count + columns - 1) / columns
        return (Double(min(columns, panels.count)) * (panels.map(\.width).max() ?? 0),
                Double(rows) * (panels.map(\.height).max() ?? 0))
    }

    public func draw(on canvas: FigureCanvas) throws {
        for (panel, origin) in zip(panels, origins()) {
            cairo_save(canvas.cr)
            cairo_translate(canvas.cr, origin.x, origin.y)
            defer { cairo_restore(canvas.cr) }
            try panel.draw(on: canvas)
        }
    }
}
