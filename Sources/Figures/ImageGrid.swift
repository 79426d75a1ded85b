import Imaging
import CCairo
import Foundation

/// Rows of images, each row under its own title, each image with an optional caption
/// underneath. Use case: random faces from the lowest and highest uncertainty deciles.
///
/// Every image is scaled to fit a `cellSize` x `cellSize` cell keeping its aspect ratio and
/// centred in it; an image of exactly `cellSize` pixels at `scale` 1 is drawn pixel for pixel.
/// `layout()` gives each cell's rectangle.
public struct ImageGrid: Figure {
    public struct Row: Equatable, Sendable {
        public var title: String
        public var images: [RGBImage]
        /// Empty, or one caption per image (e.g. the image's uncertainty).
        public var captions: [String]

        public init(title: String, images: [RGBImage], captions: [String] = []) {
            self.title = title; self.images = images; self.captions = captions
        }
    }

    public var title: String
    public var rows: [Row]
    public var cellSize: Double
    public var scale: Double

    static let margin = 16.0
    static let gap = 6.0
    static let rowTitleHeight = 26.0
    static let captionHeight = 18.0
    static let rowGap = 14.0

    public init(title: String, rows: [Row], cellSize: Double = 112, scale: Double = 1) {
        self.title = title; self.rows = rows; self.cellSize = cellSize; self.scale = scale
    }

    /// Cell rectangles (logical pixels) and the figure's size.
    public struct Layout: Equatable, Sendable {
        public let width: Double
        public let height: Double
        /// `cells[r][i]`: the cell of image `i` of row `r`.
        public let cells: [[Rect]]
        /// Baseline-independent top of each row's title band.
        public let rowTitleTops: [Double]
    }

    public func logicalSize() throws -> (width: Double, height: Double) {
        let l = try layout()
        return (l.width, l.height)
    }

    public func error(_ p: FigureError.Problem) -> FigureError {
        FigureError(figure: "image grid", title: title, problem: p)
    }

    public func layout() throws -> Layout {
        guard cellSize >= 8, cellSize.isFinite else {
            throw error(.invalidSize("cell size \(cellSize), expected at least 8"))
        }
        guard scale > 0, scale <= 8 else { throw error(.invalidSize("scale \(scale), expected in (0, 8]")) }
        guard !rows.isEmpty, rows.contains(where: { !$0.images.isEmpty }) else { throw error(.noImages) }
        for r in rows where !r.captions.isEmpty && r.captions.count != r.images.count {
            throw error(.invalidSize("row '\(r.title)' has \(r.images.count) images but \(r.captions.count) captions"))
        }
        let columns = rows.map { $0.images.count }.max()!
        let gridWidth = Double(columns) * cellSize + Double(columns - 1) * ImageGrid.gap
        let textWidth = FigureRenderer.measuring { canvas -> Double in
            canvas.setFont(size: FigureStyle.titleSize, bold: true)
            var w = canvas.textWidth(title)
            canvas.setFont(size: FigureStyle.axisLabelSize, bold: true)
            for r in rows { w = max(w, canvas.textWidth(r.title)) }
            return w
        }
        let width = (2 * ImageGrid.margin + max(gridWidth, textWidth)).rounded(.up)
        var y = ImageGrid.margin + (title.isEmpty ? 0 : FigureStyle.titleSize + 16)
        var cells: [[Rect]] = []
        var tops: [Double] = []
        for r in rows {
            tops.append(y)
            y += ImageGrid.rowTitleHeight
            cells.append(r.images.indices.map {
                Rect(x: ImageGrid.margin + Double($0) * (cellSize + ImageGrid.gap), y: y,
                     width: cellSize, height: cellSize)
            })
            y += cellSize + (r.captions.isEmpty ? 0 : ImageGrid.captionHeight) + ImageGrid.rowGap
        }
        let height = (y - ImageGrid.rowGap + ImageGrid.margin).rounded(.up)
        return Layout(width: width, height: height, cells: cells, rowTitleTops: tops)
    }

    public func draw(on canvas: FigureCanvas) throws {
        let l = try layout()
        let cr = canvas.cr
        if !title.isEmpty {
            canvas.setColor(FigureStyle.textColor)
            canvas.setFont(size: FigureStyle.titleSize, bold: true)
            canvas.drawText(title, x: ImageGrid.margin, y: ImageGrid.margin, v: .top)
        }
        for (r, row) in rows.enumerated() {
            canvas.setColor(FigureStyle.textColor)
            canvas.setFont(size: FigureStyle.axisLabelSize, bold: true)
            canvas.drawText(row.title, x: ImageGrid.margin, y: l.rowTitleTops[r] + 4, v: .top)
            for (i, image) in row.images.enumerated() {
                let cell = l.cells[r][i]
                try drawImage(image, in: cell, canvas)
                if !row.captions.isEmpty {
                    canvas.setColor(FigureStyle.textColor)
                    canvas.setFont(size: FigureStyle.captionSize)
                    canvas.drawText(row.captions[i], x: cell.x + cell.width / 2, y: cell.maxY + 3,
                                    h: .center, v: .top)
                }
            }
        }
        cairo_new_path(cr)
    }

    /// Copies `image` into a cairo surface (RGB24: native-endian 0x00RRGGBB words) and paints
    /// it scaled into `cell`.
    func drawImage(_ image: RGBImage, in cell: Rect, _ canvas: FigureCanvas) throws {
        let cr = canvas.cr
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(image.width), Int32(image.height)),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw error(.invalidSize("cannot hold a \(image.width)x\(image.height) image"))
        }
        defer { cairo_surface_destroy(surface) }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = UnsafeMutableRawPointer(cairo_image_surface_get_data(surface)!)
        image.pixels.withUnsafeBufferPointer { px in
            for y in 0..<image.height {
                let row = data + y * stride
                for x in 0..<image.width {
                    let o = (y * image.width + x) * 3
                    let word = UInt32(px[o]) << 16 | UInt32(px[o + 1]) << 8 | UInt32(px[o + 2])
                    row.storeBytes(of: word, toByteOffset: x * 4, as: UInt32.self)
                }
            }
        }
        cairo_surface_mark_dirty(surface)
        let fit = min(cell.width / Double(image.width), cell.height / Double(image.height))
        let w = Double(image.width) * fit, h = Double(image.height) * fit
        cairo_save(cr)
        cairo_translate(cr, cell.x + (cell.width - w) / 2, cell.y + (cell.height - h) / 2)
        cairo_scale(cr, fit, fit)
        cairo_set_source_surface(cr, surface, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD)
        cairo_rectangle(cr, 0, 0, Double(image.width), Double(image.height))
        cairo_fill(cr)
        cairo_restore(cr)
    }
}
