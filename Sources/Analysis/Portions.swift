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

/// Parses `a:b:n` (numpy linspace) or a comma-separated list of rejected portions in [0, 1).
public func parsePortions(_ text: String) throws -> [Double] {
    let values: [Double]
    let colon = text.split(separator: ":", omittingEmptySubsequences: false)
    if colon.count == 3 {
        guard let a = Double(colon[0]), let b = Double(colon[1]), let n = Int(colon[2]), n > 0 else {
            throw AnalysisError.invalidArgument("portions '\(text)': expected start:stop:count, e.g. 0:0.5:250")
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
