import ArgumentParser
import Core
import Foundation

/// A kind of pipeline stage: what it needs, what it accepts, and how it makes its artifact
/// (docs/architecture.md, "Adding a stage kind").
///
/// A stage is `inputs + options -> artifact folder`. Its parameters are the options of its
/// job's options type (`Options`), decoded from the pipeline file with the same names in
/// snake case and the same defaults. The runner gives `run` a fresh (or, for resumable kinds,
/// the same interrupted) working folder and publishes it only when `run` returns; a thrown
/// error leaves nothing published.
public protocol StageKind {
    associatedtype Options: ParsableArguments
    /// The name used as `kind:` in pipeline files.
    static var kind: String { get }
    /// Bumped whenever the artifact this kind makes changes for the same inputs, so that
    /// artifacts made by older code are not reused (KindOutputDigestTests enforces it).
    static var version: Int { get }
    static var summary: String { get }
    /// Input roles, the kinds of stage that may fill each, and the options they fill.
    static var inputs: [InputSpec] { get }
    /// Whether an interrupted run continues in its working folder instead of starting over.
    static var resumable: Bool { get }
    /// Options the pipeline sets itself and a pipeline file may not (none by default).
    static var reservedOptions: Set<String> { get }

    static func run(_ options: Options, in context: StageContext) throws
}

extension StageKind {
    public static var resumable: Bool { false }
    public static var reservedOptions: Set<String> { [] }
}

/// A named input of a stage kind.
public struct InputSpec: Sendable {
    public var role: String
    /// Stage kinds whose artifacts can fill this role.
    public var accepts: [String]
    public var optional: Bool
    /// Path options resolved inside this input's artifact when the input is connected (and
    /// against the pipeline file otherwise).
    public var anchors: [String]
    /// Values for path options the pipeline file leaves out while this input is connected:
    /// option key -> path inside the artifact (`store` -> `store.h5`).
    public var provides: [String: String]
    /// The same, by the kind of the upstream stage, where it differs from `provides`.
    public var providesByKind: [String: [String: String]]

    /// A role ending in `*` takes any role name with that prefix (`*`: any name at all).
    public func matches(_ name: String) -> Bool {
        role.hasSuffix("*") ? name.hasPrefix(role.dropLast()) : name == role
    }

    public init(_ role: String, accepts: [String], optional: Bool = false,
                anchors: [String] = [], provides: [String: String] = [:],
                providesByKind: [String: [String: String]] = [:]) {
        self.role = role
        self.accepts = accepts
        self.optional = optional
        let provided = Set(provides.keys).union(providesByKind.values.flatMap(\.keys))
        self.anchors = anchors + provided.filter { !anchors.contains($0) }.sorted()
        self.provides = provides
        self.providesByKind = providesByKind
    }

    /// What this input provides when filled by a stage of `kind`.
    public func provided(by kind: String) -> [String: String] {
        provides.merging(providesByKind[kind] ?? [:]) { _, b in b }
    }
}

/// What a running stage sees besides its options.
public struct StageContext: Sendable {
    public var stageName: String
    /// The folder to write the artifact into (published by the runner on success).
    public var output: URL
    /// Artifact folders of the inputs, by role.
    public var inputs: [String: URL]
    /// Roles in the order the pipeline file lists them.
    public var inputOrder: [String]
    public var quiet: Bool

    public init(stageName: String, output: URL, inputs: [String: URL], inputOrder: [String], quiet: Bool) {
        self.stageName = stageName
        self.output = output
        self.inputs = inputs
        self.inputOrder = inputOrder
        self.quiet = quiet
    }

    public func input(_ role: String) throws -> URL {
        guard let u = inputs[role] else { throw InputError(file: stageName, "stage has no input '\(role)'") }
        return u
    }

    /// A file in the working folder.
    public func output(_ name: String) -> String { output.appendingPathComponent(name).path }

    /// Notes on stderr prefixed with the stage's name, unless quiet.
    public var log: Log { Log(quiet: quiet, prefix: "\(stageName): ") }
}
