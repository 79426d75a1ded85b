import Foundation

/// numpy's `linspace(start, stop, num)` (endpoint included), value for value: `i * step +
/// start` with `step = (stop - start) / (num - 1)` and the last value set to `stop`.
public func linspace(_ start: Double, _ stop: Double, _ num: Int) -> [Double] {
    guard num > 0 else { return [] }
    if num == 1 { return [start] }
    let step = (stop - start) / Double(num - 1)
    var y = (0..<num).map { Double($0) * step + start }
    y[num - 1] = stop
    return y
}

/// A plain decimal `[-]digits[.digits]` as `units / 10^digits` (exact), or nil.
private func parseDecimal(_ s: Substring) -> (units: Int64, digits: Int)? {
    var t = s.trimmingCharacters(in: .whitespaces)[...]
    var negative = false
    if t.first == "-" || t.first == "+" { negative = t.first == "-"; t = t.dropFirst() }
    let parts = t.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    let whole = parts[0], fraction = parts.count == 2 ? parts[1] : ""
    guard !(whole.isEmpty && fraction.isEmpty), whole.count + fraction.count <= 15,
          (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    let units = Int64(whole + fraction) ?? 0
    return (negative ? -units : units, fraction.count)
}

/// `seq start step stop` as the reference's shell scripts feed it to Python (docs/metrics.md,
/// "Rejected portions"): `start + i * step` for `i = 0, 1, ...` while it is `<= stop`, computed
/// in exact decimal arithmetic at the precision of `start` and `step` (the digits `seq`
/// prints), each value the float64 nearest to that decimal (Python's `float` of seq's line).
/// `0:0.02:0.5` gives 26 values, `0:0.002:0.5` 251. Plain decimals only; step > 0.
public func seqGrid(start: String, step: String, stop: String) throws -> [Double] {
    let example = "e.g. 0:0.02:0.5"
    guard let a = parseDecimal(start[...]), let s = parseDecimal(step[...]), let b = parseDecimal(stop[...]) else {
        throw AnalysisError.invalidArgument("portions '\(start):\(step):\(stop)': expected plain decimals start:step:stop, \(example)")
    }
    guard s.units > 0 else {
        throw AnalysisError.invalidArgument("portions '\(start):\(step):\(stop)': the step must be positive, \(example)")
    }
    let d = max(a.digits, s.digits), top = max(d, b.digits)
    func scaled(_ x: (units: Int64, digits: Int), to digits: Int) -> Int64 {
        var u = x.units
        for _ in x.digits..<digits { u *= 10 }
        return u
    }
    let first = scaled(a, to: d), stepUnits = scaled(s, to: d), last = scaled(b, to: top)
    var factor: Int64 = 1
    for _ in d..<top { factor *= 10 }
    var values: [Double] = []
    var v = first
    while v * factor <= last {
        guard values.count < 1_000_000 else {
            throw AnalysisError.invalidArgument("portions '\(start):\(step):\(stop)': more than 1,000,000 values")
        }
        values.append(decimalValue(v, digits: d))
        v += stepUnits
    }
    return values
}

/// The float64 nearest to `units / 10^digits` (through its decimal text, as Python parses).
private func decimalValue(_ units: Int64, digits: Int) -> Double {
    let sign = units < 0 ? "-" : ""
    var body = String(units.magnitude)
    if digits == 0 { return Double(sign + body)! }
    if body.count <= digits { body = String(repeating: "0", count: digits - body.count + 1) + body }
    let cut = body.index(body.endIndex, offsetBy: -digits)
    return Double(sign + body[..<cut] + "." + body[cut...])!
}

/// Parses rejected portions in [0, 1] (docs/metrics.md, "Rejected portions"):
/// `start:stop:count` (numpy linspace, endpoint included) when the third field is an integer
/// written without a point, `start:step:stop` (`seq`, see `seqGrid`) when it has a point
/// (`0:0.02:0.5`; write a stop of 1 as `1.0`), or a comma-separated list.
public func parsePortions(_ text: String) throws -> [Double] {
    let values: [Double]
    let colon = text.split(separator: ":", omittingEmptySubsequences: false)
    if colon.count == 3, colon[2].contains(".") {
        values = try seqGrid(start: String(colon[0]), step: String(colon[1]), stop: String(colon[2]))
    } else if colon.count == 3 {
        guard let a = Double(colon[0]), let b = Double(colon[1]), let n = Int(colon[2]), n > 0, n <= 1_000_000 else {
            throw AnalysisError.invalidArgument("portions '\(text)': expected start:stop:count (e.g. 0:0.5:250) or start:step:stop (e.g. 0:0.02:0.5)")
        }
        values = linspace(a, b, n)
    } else {
        values = try text.split(separator: ",").map {
            guard let v = Double($0.trimmingCharacters(in: .whitespaces)) else {
                throw AnalysisError.invalidArgument("portions '\(text)': '\($0)' is not a number")
            }
            return v
        }
    }
    guard !values.isEmpty else { throw AnalysisError.invalidArgument("no rejected portion given") }
    for v in values where !(v >= 0 && v <= 1) {
        throw AnalysisError.invalidArgument("rejected portion \(v) is not in [0, 1]")
    }
    return values
}

/// The grid in words: `26 rejected portions 0 ... 0.5 (step 0.02)` when evenly spaced
/// (within 1e-9), otherwise `N rejected portions a ... b`.
public func describePortionGrid(_ portions: [Double]) -> String {
    guard let first = portions.first, let last = portions.last else { return "no rejected portions" }
    func g(_ v: Double) -> String { String(format: "%g", v) }
    if portions.count == 1 { return "1 rejected portion \(g(first))" }
    let step = (last - first) / Double(portions.count - 1)
    let even = portions.indices.allSatisfy { abs(portions[$0] - (first + Double($0) * step)) <= 1e-9 }
    return "\(portions.count) rejected portions \(g(first)) ... \(g(last))" + (even ? " (step \(g(step)))" : "")
}

/// Parses a comma-separated list of FARs in (0, 1].
public func parseFARs(_ text: String) throws -> [Double] {
    let values = try text.split(separator: ",").map { part -> Double in
        guard let v = Double(part.trimmingCharacters(in: .whitespaces)) else {
            throw AnalysisError.invalidArgument("FARs '\(text)': '\(part)' is not a number")
        }
        return v
    }
    try validateFARs(values)
    return values
}

/// numpy's `trapz(y, x)`: `sum (x[i+1] - x[i]) * (y[i+1] + y[i]) / 2`.
public func trapezoid(_ y: [Double], _ x: [Double]) -> Double {
    var s = 0.0
    if y.count < 2 { return 0 }
    for i in 0..<(y.count - 1) { s += (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2 }
    return s
}
