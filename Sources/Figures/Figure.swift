import Imaging
/// Something that draws itself into a PNG or SVG file: `LineChart`, `Histogram`, `ImageGrid`.
/// Lets a report hold a list of figures of different kinds and write them all alike.
public protocol Figure: Sendable {
    /// Logical size (width, height); the PNG has these times `scale` pixels.
    func logicalSize() throws -> (width: Double, height: Double)
    var scale: Double { get }
    /// Draws the whole figure; validates its input first.
    func draw(on canvas: FigureCanvas) throws
    /// Builds this figure's error for a problem (kind and title tell figures apart).
    func error(_ problem: FigureError.Problem) -> FigureError
}

extension Figure {
    /// Writes the figure as a PNG at `path` through a temporary sibling and a rename, so that
    /// a failure leaves no file. Errors are `FigureError`s naming `path`.
    public func writePNG(to path: String) throws {
        let size: (width: Double, height: Double)
        do { size = try logicalSize() } catch var e as FigureError { e.path = path; throw e }
        try FigureRenderer.writePNG(to: path, width: size.width, height: size.height, scale: scale,
                                    error: error, draw: draw(on:))
    }

    /// Writes the figure as an SVG at `path`, logical size in points (`scale` is not used).
    public func writeSVG(to path: String) throws {
        let size: (width: Double, height: Double)
        do { size = try logicalSize() } catch var e as FigureError { e.path = path; throw e }
        try FigureRenderer.writeSVG(to: path, width: size.width, height: size.height, error: error, draw: draw(on:))
    }

    /// Renders the figure in memory at `scale`.
    public func renderImage() throws -> RGBImage {
        let size = try logicalSize()
        return try FigureRenderer.renderImage(width: size.width, height: size.height, scale: scale,
                                              error: error, draw: draw(on:))
    }
}
