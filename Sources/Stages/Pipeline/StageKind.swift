import Foundation

/// A kind of pipeline stage: what it needs, what it accepts, and how it makes its artifact.
///
/// A stage is `inputs + parameters -> artifact directory`. The runner gives `run` a fresh
/// (or, for resumable kinds, the same interrupted) working directory and publishes it only
/// when `run` returns; a thrown error leaves nothing published.
public protocol StageKind {
    /// The name used as `kind:` in pipeline files.
    static var kind: String { get }
    /// Bumped whenever the artifact this kind makes changes for the same inputs, so that
    /// artifacts made by older code are not reused.
    static var version: Int { get }
    static var summary: String { get }
    /// Input roles and the kinds of stage that may fill each.
    static var inputs: [InputSpec] { get }
    static var parameters: [ParameterSpec] { get }
    /// Whether an interrupted run continues in its working directory instead of starting over.
    static var resumable: Bool { get }

    static func run(_ context: StageContext) throws
}

extension StageKind {
    public static var resumable: Bool { false }
}

/// A named input of a stage kind.
public struct InputSpec: Sendable {
    public var role: String
    /// Stage kinds whose artifacts can fill this role.
    public var accepts: [String]
    public var optional: Bool
    /// A role ending in `*` takes any role name with that prefix (`*`: any name at all).
    func matches(_ name: String) -> Bool {
        role.hasSuffix("*") ? name.hasPrefix(role.dropLast()) : name == role
    }

    public init(_ role: String, accepts: [String], optional: Bool = false) {
        self.role = role
        self.accepts = accepts
        self.optional = optional
    }
}

/// What a running stage sees.
public struct StageContext {
    public var stageName: String
    /// The directory to write the artifact into (published by the runner on success).
    public var output: URL
    /// Artifact directories of the inputs, by role.
    public var inputs: [String: URL]
    /// Parameters with defaults filled in and types checked.
    public var parameters: [String: ParameterValue]
    /// The directory of the pipeline file, against which relative file parameters resolve.
    public var baseDirectory: URL
    public var quiet: Bool
    /// Roles in the order the pipeline file lists them.
    public var inputOrder: [String] = []

    public func input(_ role: String) throws -> URL {
        guard let u = inputs[role] else { throw InputError(file: stageName, "stage has no input '\(role)'") }
        return u
    }

    public func output(_ name: String) -> String { output.appendingPathComponent(name).path }

    public func string(_ name: String) -> String {
        if case .string(let s)? = parameters[name] { return s }
        return ""
    }

    public func optionalString(_ name: String) -> String? {
        let s = string(name)
        return s.isEmpty ? nil : s
    }

    /// A file parameter resolved against the pipeline file's directory.
    public func file(_ name: String) -> String {
        let s = string(name)
        return s.hasPrefix("/") ? s : baseDirectory.appendingPathComponent(s).path
    }

    public func int(_ name: String) -> Int {
        if case .int(let i)? = parameters[name] { return i }
        return 0
    }

    public func double(_ name: String) -> Double {
        if case .double(let d)? = parameters[name] { return d }
        return 0
    }

    public func bool(_ name: String) -> Bool {
        if case .bool(let b)? = parameters[name] { return b }
        return false
    }

    public func strings(_ name: String) -> [String] {
        if case .list(let items)? = parameters[name] { return items.map(\.display) }
        return []
    }

    public func doubles(_ name: String) -> [Double] {
        if case .list(let items)? = parameters[name] {
            return items.compactMap { if case .double(let d) = $0 { return d } else { return nil } }
        }
        return []
    }

    /// Progress and notes on stderr unless quiet.
    public func log(_ message: String) {
        if !quiet { FileHandle.standardError.write(Data("  \(stageName): \(message)\n".utf8)) }
    }
}
