/// A figure that cannot be drawn or written; `description` is one line naming the file.
public struct FigureError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case noSeries
        case emptySeries(String)
        case lengthMismatch(series: String, x: Int, y: Int)
        case nonPositiveOnLogAxis(series: String)
        case invalidRange(axis: String)
        case invalidBins(String)
        case noImages
        case invalidSize(String)
        case writeFailed(String)
    }

    /// The kind of figure, e.g. "line chart".
    public let figure: String
    /// The figure's title, to tell several figures apart in a log.
    public let title: String
    /// The file being written, when the error happened while writing one.
    public var path: String?
    public let problem: Problem

    public init(figure: String, title: String, path: String? = nil, problem: Problem) {
        self.figure = figure
        self.title = title
        self.path = path
        self.problem = problem
    }

    public var description: String {
        let subject = "\(figure) '\(title)'" + (path.map { " (\($0))" } ?? "")
        switch problem {
        case .noSeries: return "\(subject): nothing to plot, expected at least one series"
        case .emptySeries(let name):
            return "\(subject): series '\(name)' has no finite values to plot"
        case .lengthMismatch(let name, let x, let y):
            return "\(subject): series '\(name)' has \(x) x values but \(y) y values"
        case .nonPositiveOnLogAxis(let name):
            return "\(subject): series '\(name)' has no positive x value for the logarithmic x axis"
        case .invalidRange(let axis):
            return "\(subject): \(axis) axis range must be finite with lower < upper (and > 0 on a log axis)"
        case .invalidBins(let why): return "\(subject): invalid bins: \(why)"
        case .noImages: return "\(subject): no images, expected at least one row with one image"
        case .invalidSize(let why): return "\(subject): invalid size: \(why)"
        case .writeFailed(let why): return "\(subject): cannot write: \(why)"
        }
    }
}
