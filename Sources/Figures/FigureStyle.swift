/// An sRGB colour with components in 0...1.
public struct RGBColor: Equatable, Sendable {
    public var red: Double
    public var green: Double
    public var blue: Double

    public init(red: Double, green: Double, blue: Double) {
        self.red = red; self.green = green; self.blue = blue
    }

    /// From a 0xRRGGBB literal.
    public init(hex: UInt32) {
        red = Double((hex >> 16) & 0xFF) / 255
        green = Double((hex >> 8) & 0xFF) / 255
        blue = Double(hex & 0xFF) / 255
    }

    /// The 8-bit components as a PNG stores them.
    public var bytes: (UInt8, UInt8, UInt8) {
        func q(_ v: Double) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }
        return (q(red), q(green), q(blue))
    }
}

/// Series colours: the Okabe-Ito palette, distinguishable with the common colour-vision
/// deficiencies; yellow comes last because it is faint on white. Beyond eight series the
/// colours repeat and the line chart switches dash pattern so that no two series look alike.
public enum Palette {
    public static let colors: [RGBColor] = [
        RGBColor(hex: 0x0072B2), // blue
        RGBColor(hex: 0xD55E00), // vermillion
        RGBColor(hex: 0x009E73), // bluish green
        RGBColor(hex: 0xE69F00), // orange
        RGBColor(hex: 0xCC79A7), // reddish purple
        RGBColor(hex: 0x56B4E9), // sky blue
        RGBColor(hex: 0x000000), // black
        RGBColor(hex: 0xF0E442), // yellow
    ]

    public static func color(_ index: Int) -> RGBColor { colors[index % colors.count] }
}

/// Sizes in logical pixels (output pixels = logical x scale). Chosen for a 1000 x 700 figure
/// viewed at 100 %; `scale: 2` gives a paper-quality 2000 x 1400 image with the same look.
enum FigureStyle {
    static let fontFamily = "DejaVu Sans"
    static let titleSize = 19.0
    static let axisLabelSize = 15.0
    static let tickLabelSize = 13.0
    static let legendSize = 13.0
    static let captionSize = 12.0
    static let lineWidth = 2.0
    static let markerRadius = 3.5
    static let frameColor = RGBColor(hex: 0x222222)
    static let gridColor = RGBColor(hex: 0xE3E3E3)
    static let textColor = RGBColor(hex: 0x111111)
    static let background = RGBColor(hex: 0xFFFFFF)
}
