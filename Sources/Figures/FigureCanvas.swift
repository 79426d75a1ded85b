import CCairo

/// Drawing helpers over one cairo context, in logical pixels (the context is pre-scaled).
/// Only this module draws on it; it is public so that `Figure` can name it.
public struct FigureCanvas {
    enum HAlign { case left, center, right }
    enum VAlign { case baseline, center, top, bottom }

    let cr: OpaquePointer

    func setColor(_ c: RGBColor, alpha: Double = 1) {
        if alpha >= 1 {
            cairo_set_source_rgb(cr, c.red, c.green, c.blue)
        } else {
            cairo_set_source_rgba(cr, c.red, c.green, c.blue, alpha)
        }
    }

    func setFont(size: Double, bold: Bool = false) {
        cairo_select_font_face(cr, FigureStyle.fontFamily, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }

    /// Advance width of `text` in the current font.
    func textWidth(_ text: String) -> Double {
        var ext = cairo_text_extents_t()
        cairo_text_extents(cr, text, &ext)
        return ext.x_advance
    }

    /// Draws `text` anchored at (x, y); `rotated` turns it 90 degrees counter-clockwise
    /// (for a y-axis label), anchoring in the rotated frame.
    func drawText(_ text: String, x: Double, y: Double, h: HAlign = .left, v: VAlign = .baseline,
                  rotated: Bool = false) {
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        let w = textWidth(text)
        let dx: Double
        switch h {
        case .left: dx = 0
        case .center: dx = -w / 2
        case .right: dx = -w
        }
        let dy: Double
        switch v {
        case .baseline: dy = 0
        case .center: dy = (fe.ascent - fe.descent) / 2
        case .top: dy = fe.ascent
        case .bottom: dy = -fe.descent
        }
        cairo_save(cr)
        cairo_translate(cr, x, y)
        if rotated { cairo_rotate(cr, -Double.pi / 2) }
        cairo_move_to(cr, dx, dy)
        cairo_show_text(cr, text)
        cairo_new_path(cr)
        cairo_restore(cr)
    }

    func strokeLine(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, width: Double) {
        cairo_set_line_width(cr, width)
        cairo_move_to(cr, x0, y0)
        cairo_line_to(cr, x1, y1)
        cairo_stroke(cr)
    }

    func fillRect(_ r: Rect) {
        cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        cairo_fill(cr)
    }

    func strokeRect(_ r: Rect, width: Double) {
        cairo_set_line_width(cr, width)
        cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        cairo_stroke(cr)
    }

    func setDash(_ pattern: [Double]) {
        pattern.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), 0) }
    }

    /// Runs `body` with drawing clipped to `rect`.
    func clipped(to rect: Rect, _ body: () -> Void) {
        cairo_save(cr)
        cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(cr)
        body()
        cairo_restore(cr)
    }
}

/// An axis-aligned rectangle in logical pixels; y grows downwards.
public struct Rect: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + height }

    public func contains(_ px: Double, _ py: Double) -> Bool {
        px >= x && px <= maxX && py >= y && py <= maxY
    }
}
