import ArgumentParser
import Core
import Crypto
import Foundation

/// Plans and runs a pipeline (docs/pipeline.md). Every stage's cache key is a hash of its
/// kind, its kind's version, its options (defaults filled in), the keys of its inputs and the
/// content of the files and folders its options name outside any input. A stage whose key
/// already has a published artifact is not run again; changing any of these changes that
/// stage's key and, through the input keys, the keys of the stages downstream of it, and of
/// no others.
public struct Runner {
    public enum Status: Equatable, Sendable {
        case cached
        case stale(String)
        case forced
    }

    public struct PlannedStage {
        public var name: String
        public var kind: any StageKind.Type
        public var key: String
        public var status: Status
        public var inputs: [String: String]
        public var inputOrder: [String]
        public var record: ArtifactRecord
        var options: any ParsableArguments
    }

    public let pipeline: PipelineFile
    public let registry: [String: any StageKind.Type]
    public var quiet = false

    public init(pipeline: PipelineFile, registry: [String: any StageKind.Type]) {
        self.pipeline = pipeline
        self.registry = registry
    }

    func stageDirectory(_ name: String) -> URL { pipeline.cacheDirectory.appendingPathComponent(name) }
    func artifactDirectory(_ name: String, _ key: String) -> URL { stageDirectory(name).appendingPathComponent(key) }
    var baseDirectory: URL { URL(fileURLWithPath: pipeline.path).deletingLastPathComponent() }

    /// Checks the pipeline and decides what must run. `until` limits the plan to a stage and
    /// what it depends on; `force` reruns the named stages and everything downstream of them.
    public func plan(until: String? = nil, force: Set<String> = []) throws -> [PlannedStage] {
        let file = pipeline.path
        var byName: [String: PipelineFile.Stage] = [:]
        for s in pipeline.stages { byName[s.name] = s }
        for name in [until].compactMap({ $0 }) + force.sorted() where byName[name] == nil {
            throw InputError(file: file, "no stage named '\(name)' (stages: \(pipeline.stages.map(\.name).joined(separator: ", ")))")
        }
        for s in pipeline.stages { try checkInputs(s, byName) }

        // Topological order (file order among independent stages); cycles are errors.
        var order: [String] = []
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func visit(_ name: String, _ path: [String]) throws {
            if state[name] == 2 { return }
            if state[name] == 1 {
                throw InputError(file: file, "stages form a cycle: \((path + [name]).joined(separator: " -> "))")
            }
            state[name] = 1
            for upstream in byName[name]!.inputs.values.sorted() { try visit(upstream, path + [name]) }
            state[name] = 2
            order.append(name)
        }
        for s in pipeline.stages { try visit(s.name, []) }

        var wanted = Set(order)
        if let until {
            wanted = []
            func collect(_ n: String) {
                if wanted.insert(n).inserted { byName[n]!.inputs.values.forEach(collect) }
            }
            collect(until)
        }
        var forced = Set<String>()
        for name in order {
            let s = byName[name]!
            if force.contains(name) || s.inputs.values.contains(where: forced.contains) { forced.insert(name) }
        }

        var fingerprints = FingerprintCache(cacheDirectory: pipeline.cacheDirectory)
        defer { fingerprints.save() }
        var keys: [String: String] = [:]
        var plans: [PlannedStage] = []
        for name in order where wanted.contains(name) {
            let s = byName[name]!
            let kind = registry[s.kind]!
            let artifacts = s.inputs.mapValues { artifactDirectory($0, keys[$0]!) }
            let config = try StageConfiguration.make(kind, stage: s, file: file, artifacts: artifacts,
                                                     upstreamKinds: s.inputs.mapValues { byName[$0]!.kind },
                                                     baseDirectory: baseDirectory, fingerprints: &fingerprints)
            let inputKeys = s.inputs.mapValues { keys[$0]! }
            var h = SHA256()
            h.update("kind=\(s.kind)\nversion=\(kind.version)\n")
            for k in config.parameters.keys.sorted() { h.update("param \(k)=\(config.parameters[k]!)\n") }
            for k in inputKeys.keys.sorted() { h.update("input \(k)=\(inputKeys[k]!)\n") }
            for k in config.files.keys.sorted() { h.update("file \(k)=\(config.files[k]!)\n") }
            let key = h.finalize().prefix(10).hexDigits
            keys[name] = key

            let record = ArtifactRecord(stage: name, kind: s.kind, version: kind.version, key: key,
                                        parameters: config.parameters, inputs: s.inputs, inputKeys: inputKeys,
                                        files: config.files, fileNames: config.fileNames)
            let status: Status
            if forced.contains(name) {
                status = .forced
            } else if FileManager.default.fileExists(atPath: artifactDirectory(name, key).appendingPathComponent(ArtifactRecord.fileName).path) {
                status = .cached
            } else {
                status = .stale(staleReason(record))
            }
            plans.append(PlannedStage(name: name, kind: kind, key: key, status: status, inputs: s.inputs,
                                      inputOrder: s.inputOrder, record: record, options: config.options))
        }
        return plans
    }

    /// Kinds, roles and upstream kinds.
    private func checkInputs(_ s: PipelineFile.Stage, _ byName: [String: PipelineFile.Stage]) throws {
        let file = pipeline.path
        guard let kind = registry[s.kind] else {
            throw InputError(file: file, line: s.line, "stage '\(s.name)': unknown kind '\(s.kind)' (known: \(registry.keys.sorted().joined(separator: ", ")))")
        }
        for (role, upstream) in s.inputs {
            guard let spec = kind.inputs.first(where: { $0.matches(role) }) else {
                throw InputError(file: file, line: s.line, "stage '\(s.name)': kind '\(s.kind)' has no input '\(role)' (inputs: \(kind.inputs.map(\.role).joined(separator: ", ")))")
            }
            guard let up = byName[upstream] else {
                throw InputError(file: file, line: s.line, "stage '\(s.name)': input '\(role)' names unknown stage '\(upstream)'")
            }
            guard spec.accepts.contains(up.kind) || spec.accepts == ["*"] else {
                throw InputError(file: file, line: s.line, "stage '\(s.name)': input '\(role)' takes a stage of kind \(spec.accepts.joined(separator: " or ")), but '\(upstream)' is '\(up.kind)'")
            }
        }
        for spec in kind.inputs where !spec.optional && !s.inputs.keys.contains(where: spec.matches) {
            throw InputError(file: file, line: s.line, "stage '\(s.name)': missing input '\(spec.role)' (a stage of kind \(spec.accepts.joined(separator: " or ")))")
        }
    }

    /// Why a stage must run, from the record of its last successful run.
    private func staleReason(_ now: ArtifactRecord) -> String {
        guard let last = ArtifactRecord.load(stageDirectory(now.stage).appendingPathComponent("last.json")) else {
            return "never run"
        }
        return now.changes(since: last).joined(separator: "; ")
    }

    /// Runs the plan; returns the names of the stages that did work.
    @discardableResult
    public func run(until: String? = nil, force: Set<String> = [], dryRun: Bool = false) throws -> [String] {
        let plans = try plan(until: until, force: force)
        if dryRun {
            for p in plans {
                let what: String
                switch p.status {
                case .cached: what = "cached"
                case .forced: what = "forced"
                case .stale(let why): what = "stale: \(why)"
                }
                print("\(p.name) [\(p.record.kind) \(p.key)] \(what)")
            }
            return []
        }
        let log = Log(quiet: quiet)
        var ran: [String] = []
        for (i, p) in plans.enumerated() {
            let published = artifactDirectory(p.name, p.key)
            let prefix = "[\(i + 1)/\(plans.count)] \(p.name) (\(p.record.kind))"
            if p.status == .cached {
                log.plain("\(prefix): cached")
                try link(p.name, to: published)
                continue
            }
            if case .stale(let why) = p.status { log.plain("\(prefix): running (\(why))") } else { log.plain("\(prefix): running (forced)") }
            let start = Date()
            let work = stageDirectory(p.name).appendingPathComponent(p.key + ".partial")
            let fm = FileManager.default
            if !p.kind.resumable || p.status == .forced { try? fm.removeItem(at: work) }
            do {
                try fm.createDirectory(at: work, withIntermediateDirectories: true)
            } catch {
                throw InputError(file: work.path, "cannot create the stage's working directory")
            }
            let context = StageContext(stageName: p.name, output: work,
                                       inputs: Dictionary(uniqueKeysWithValues: p.inputs.map { role, upstream in
                                           (role, artifactDirectory(upstream, p.record.inputKeys[role]!)) }),
                                       inputOrder: p.inputOrder, quiet: quiet)
            try Self.run(p.kind, p.options, context)
            var record = p.record
            record.seconds = Date().timeIntervalSince(start)
            record.created = ISO8601DateFormatter().string(from: Date())
            try record.write(to: work.appendingPathComponent(ArtifactRecord.fileName))
            try publishDirectory(work, at: published)
            try record.write(to: stageDirectory(p.name).appendingPathComponent("last.json"))
            try link(p.name, to: published)
            log.plain("\(prefix): done in \(String(format: "%.1f", record.seconds ?? 0)) s")
            ran.append(p.name)
        }
        return ran
    }

    private static func run<K: StageKind>(_ kind: K.Type, _ options: any ParsableArguments, _ context: StageContext) throws {
        guard let typed = options as? K.Options else {
            throw InputError(file: context.stageName, "internal: options of the wrong type for kind \(K.kind)")
        }
        try K.run(typed, in: context)
    }

    /// Points `outputs/<stage>` at the stage's current artifact (a relative symlink, replaced atomically).
    private func link(_ stage: String, to artifact: URL) throws {
        let fm = FileManager.default
        try? fm.createDirectory(at: pipeline.outputDirectory, withIntermediateDirectories: true)
        let linkPath = pipeline.outputDirectory.appendingPathComponent(stage).path
        try replaceSymbolicLink(at: linkPath, pointingTo: relativePath(from: pipeline.outputDirectory, to: artifact))
    }
}

/// A relative path from directory `base` to `target` (both absolute).
func relativePath(from base: URL, to target: URL) -> String {
    let b = base.standardizedFileURL.pathComponents, t = target.standardizedFileURL.pathComponents
    var i = 0
    while i < b.count && i < t.count && b[i] == t[i] { i += 1 }
    return (Array(repeating: "..", count: b.count - i) + t[i...]).joined(separator: "/")
}
