/// A checkpoint or weights file that cannot be used; the message names the file and what
/// was expected, on one line.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "checkpoint \(path): \(message)" }
}
