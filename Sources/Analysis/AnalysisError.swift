import Foundation

/// Errors of the analysis math: every case names what was wrong and what was expected, in one
/// line, so the executable can print `description` and exit.
public enum AnalysisError: Error, Equatable, CustomStringConvertible {
    case unknownName(kind: String, name: String, valid: [String])
    case noPositives(context: String)
    case noNegatives(context: String)
    case notFinite(what: String, index: Int)
    case shapeMismatch(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .unknownName(kind, name, valid):
            return "unknown \(kind) '\(name)'; valid: \(valid.joined(separator: ", "))"
        case let .noPositives(context):
            return "no positive (genuine) pairs in \(context): TAR is undefined"
        case let .noNegatives(context):
            return "no negative (impostor) pairs in \(context): thresholds are undefined"
        case let .notFinite(what, index):
            return "\(what) is NaN at pair \(index)"
        case let .shapeMismatch(message), let .invalidArgument(message):
            return message
        }
    }
}
