import ArgumentParser
import Foundation

/// An option naming something a stage reads: a file (`InputFile`) or a folder
/// (`InputFolder`). Declaring an option with one of these types is all it takes for the
/// pipeline runner to resolve it (against the pipeline file, or inside an input's artifact)
/// and to put its content into the stage's cache key (docs/pipeline.md, "Caching").
public protocol PathParameter: ExpressibleByArgument, Sendable, CustomStringConvertible {
    /// The path as given (relative to the working directory on the command line).
    var path: String { get }
    /// The same parameter naming another path (the runner's resolved one).
    func relocated(to path: String) -> Self
    /// The value as command-line text (`init(argument:)` reads it back).
    var argument: String { get }
    /// How the content enters cache keys: a folder's listing rather than a file's bytes.
    static var isFolder: Bool { get }
}

extension PathParameter {
    public var description: String { argument }
    public var defaultValueDescription: String { argument }
}

/// The plain path parameters: the argument is the path.
public protocol PlainPathParameter: PathParameter {
    init(path: String)
}

extension PlainPathParameter {
    public init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        self.init(path: argument)
    }
    public var argument: String { path }
    public func relocated(to path: String) -> Self { Self(path: path) }
}

/// A file a stage reads (a pair list, a checkpoint, a landmark file, an `.npy`).
public struct InputFile: PlainPathParameter, Hashable {
    public var path: String
    public init(path: String) { self.path = path }
    public static let isFolder = false
}

/// A folder a stage reads (an image root, a protocol folder).
public struct InputFolder: PlainPathParameter, Hashable {
    public var path: String
    public init(path: String) { self.path = path }
    public static let isFolder = true
}
