import Core
import Foundation

/// One axis: its limits, whether it is logarithmic, and where its ticks go.
/// Linear ticks are multiples of 1, 2 or 5 x 10^k; logarithmic ticks are powers of ten with
/// unlabelled minor ticks at 2..9 x 10^k.
public struct AxisScale: Equatable, Sendable {
    public let lower: Double
    public let upper: Double
    public let isLog: Bool
    /// Labelled tick positions in data units, ascending, all within the limits.
    public let ticks: [Double]
    /// Unlabelled tick positions (log axes only).
    public let minorTicks: [Double]
    let step: Double

    /// Position of `value` along the axis as a fraction of its length: 0 at `lower`, 1 at `upper`.
    public func fraction(_ value: Double) -> Double {
        if isLog { return (log10(value) - log10(lower)) / (log10(upper) - log10(lower)) }
        return (value - lower) / (upper - lower)
    }

    /// A linear axis spanning `range` exactly when given, else the data range widened by
    /// `padding` of its span on each side (`padLower: false` keeps a lower limit such as 0).
    static func linear(dataMin: Double, dataMax: Double, range: ClosedRange<Double>?,
                       padding: Double = 0.04, padLower: Bool = true) -> AxisScale {
        var lo: Double, hi: Double
        if let range {
            lo = range.lowerBound; hi = range.upperBound
        } else {
            lo = dataMin; hi = dataMax
            if hi - lo <= 0 {
                let half = lo == 0 ? 0.5 : abs(lo) * 0.1
                lo -= half; hi += half
            }
            let span = hi - lo
            if padLower { lo -= padding * span }
            hi += padding * span
        }
        let step = niceStep(span: hi - lo)
        var ticks: [Double] = []
        var k = (lo / step - 1e-9).rounded(.up)
        while k * step <= hi + step * 1e-9 {
            let t = k * step
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            k += 1
        }
        return AxisScale(lower: lo, upper: hi, isLog: false, ticks: ticks, minorTicks: [], step: step)
    }

    /// The smallest 1-2-5 step giving at most 8 intervals over `span`.
    static func niceStep(span: Double) -> Double {
        let target = span / 8
        let magnitude = pow(10, (log10(target)).rounded(.down))
        for m in [1.0, 2.0, 5.0, 10.0] where m * magnitude >= target * (1 - 1e-9) {
            return m * magnitude
        }
        return 10 * magnitude
    }

    /// A base-10 logarithmic axis; `dataMin` must be positive.
    static func logarithmic(dataMin: Double, dataMax: Double, range: ClosedRange<Double>?) -> AxisScale {
        var lo: Double, hi: Double
        if let range {
            lo = log10(range.lowerBound); hi = log10(range.upperBound)
        } else {
            lo = log10(dataMin); hi = log10(dataMax)
            if hi - lo <= 0 { lo -= 0.5; hi += 0.5 }
            let span = hi - lo
            lo -= 0.04 * span; hi += 0.04 * span
        }
        let first = Int((lo - 1e-9).rounded(.up)), last = Int((hi + 1e-9).rounded(.down))
        let decades = max(last - first, 0)
        let every = max(1, Int((Double(decades) / 8).rounded(.up)))
        var ticks: [Double] = []
        var minor: [Double] = []
        if first <= last {
            for e in first...last where (e - first) % every == 0 { ticks.append(pow(10, Double(e))) }
        }
        for e in Int(lo.rounded(.down))...Int(hi.rounded(.up)) where every == 1 {
            for m in 2...9 {
                let v = Double(m) * pow(10, Double(e))
                let lv = log10(v)
                if lv >= lo && lv <= hi { minor.append(v) }
            }
        }
        return AxisScale(lower: pow(10, lo), upper: pow(10, hi), isLog: true,
                         ticks: ticks, minorTicks: minor, step: Double(every))
    }

    /// Tick label text: fixed decimals matching the step, `%g` for very large or small
    /// values, and 10 with a superscript exponent on log axes.
    public func label(_ value: Double) -> String {
        if isLog {
            let e = Int(log10(value).rounded())
            return "10" + AxisScale.superscript(e)
        }
        let largest = max(abs(lower), abs(upper))
        let text: String
        if largest >= 1e6 || step < 1e-4 {
            text = String(format: "%g", value)
        } else {
            let decimals = max(0, -Int((log10(step) + 1e-9).rounded(.down)))
            text = String(format: "%.\(decimals)f", value)
        }
        // A typographic minus sign, as in print.
        return text.hasPrefix("-") ? "\u{2212}" + text.dropFirst() : text
    }

    static func superscript(_ n: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        let body = String(abs(n)).map { digits[Int(String($0))!] }
        return (n < 0 ? "⁻" : "") + String(body)
    }
}
