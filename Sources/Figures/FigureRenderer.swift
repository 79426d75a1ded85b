import Core
import Imaging
import CCairo
import Foundation

/// Creates cairo surfaces for a figure and writes them to disk atomically.
enum FigureRenderer {
    /// Prepares a context: white background, DejaVu Sans, grey antialiasing, unhinted metrics
    /// so that text widths scale exactly with `scale`.
    static func prepare(_ cr: OpaquePointer, scale: Double, paint: Bool) {
        if let options = cairo_font_options_create() {
            cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
            cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
            cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
            cairo_set_font_options(cr, options)
            cairo_font_options_destroy(options)
        }
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT)
        cairo_scale(cr, scale, scale)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        if paint {
            let bg = FigureStyle.background
            cairo_set_source_rgb(cr, bg.red, bg.green, bg.blue)
            cairo_paint(cr)
        }
    }

    /// Runs `body` with a throwaway context for measuring text before layout.
    static func measuring<T>(_ body: (FigureCanvas) throws -> T) rethrows -> T {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1)
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr); cairo_surface_destroy(surface) }
        prepare(cr, scale: 1, paint: false)
        return try body(FigureCanvas(cr: cr))
    }

    static func pixelSize(width: Double, height: Double, scale: Double) -> (Int, Int) {
        (Int((width * scale).rounded()), Int((height * scale).rounded()))
    }

    /// Draws into an in-memory RGB image of `width*scale` x `height*scale` pixels.
    static func render(width: Double, height: Double, scale: Double,
                       error: (FigureError.Problem) -> FigureError,
                       draw: (FigureCanvas) throws -> Void) throws -> OpaquePointer {
        let (pw, ph) = pixelSize(width: width, height: height, scale: scale)
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(pw), Int32(ph))!
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw error(.invalidSize("cairo cannot create a \(pw)x\(ph) image: "
                                     + String(cString: cairo_status_to_string(status))))
        }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        prepare(cr, scale: scale, paint: true)
        do {
            try draw(FigureCanvas(cr: cr))
        } catch let failure {
            cairo_surface_destroy(surface)
            throw failure
        }
        cairo_surface_flush(surface)
        return surface
    }

    /// Renders and writes a PNG at `path` through a temporary sibling and a rename.
    static func writePNG(to path: String, width: Double, height: Double, scale: Double,
                         error: (FigureError.Problem) -> FigureError,
                         draw: (FigureCanvas) throws -> Void) throws {
        let surface: OpaquePointer
        do {
            surface = try render(width: width, height: height, scale: scale, error: error, draw: draw)
        } catch var e as FigureError {
            e.path = path
            throw e
        }
        defer { cairo_surface_destroy(surface) }
        let failure = writeAtomically(to: path, reportingFailure: { tmp in
            let st = cairo_surface_write_to_png(surface, tmp)
            return st == CAIRO_STATUS_SUCCESS ? nil : String(cString: cairo_status_to_string(st))
        })
        if let failure {
            var fe = error(.writeFailed(failure)); fe.path = path; throw fe
        }
    }

    /// Writes an SVG (vector, logical size in points) at `path` atomically.
    static func writeSVG(to path: String, width: Double, height: Double,
                         error: (FigureError.Problem) -> FigureError,
                         draw: (FigureCanvas) throws -> Void) throws {
        var drawError: Error?
        let failure = writeAtomically(to: path, reportingFailure: { tmp in
            let surface = cairo_svg_surface_create(tmp, width, height)!
            defer { cairo_surface_destroy(surface) }
            let cr = cairo_create(surface)!
            prepare(cr, scale: 1, paint: true)
            do { try draw(FigureCanvas(cr: cr)) } catch {
                drawError = error
                cairo_destroy(cr)
                cairo_surface_finish(surface)
                return "drawing failed"
            }
            cairo_destroy(cr)
            cairo_surface_finish(surface)
            let st = cairo_surface_status(surface)
            return st == CAIRO_STATUS_SUCCESS ? nil : String(cString: cairo_status_to_string(st))
        })
        if var e = drawError as? FigureError { e.path = path; throw e }
        if let failure {
            var fe = error(.writeFailed(failure)); fe.path = path; throw fe
        }
    }

    /// Copies a rendered RGB24 surface into an `RGBImage`.
    static func image(from surface: OpaquePointer) throws -> RGBImage {
        let w = Int(cairo_image_surface_get_width(surface))
        let h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        // RGB24 stores each pixel as a native-endian 32-bit 0x00RRGGBB word.
        data.withMemoryRebound(to: UInt8.self, capacity: stride * h) { base in
            for y in 0..<h {
                let row = UnsafeRawPointer(base + y * stride)
                for x in 0..<w {
                    let word = row.loadUnaligned(fromByteOffset: x * 4, as: UInt32.self)
                    let o = (y * w + x) * 3
                    pixels[o] = UInt8((word >> 16) & 0xFF)
                    pixels[o + 1] = UInt8((word >> 8) & 0xFF)
                    pixels[o + 2] = UInt8(word & 0xFF)
                }
            }
        }
        return try RGBImage(width: w, height: h, pixels: pixels)
    }

    /// Renders to memory and returns the pixels (for embedding figures or checking them).
    static func renderImage(width: Double, height: Double, scale: Double,
                            error: (FigureError.Problem) -> FigureError,
                            draw: (FigureCanvas) throws -> Void) throws -> RGBImage {
        let surface = try render(width: width, height: height, scale: scale, error: error, draw: draw)
        defer { cairo_surface_destroy(surface) }
        return try image(from: surface)
    }
}
