import Foundation

/// Plans and runs a pipeline: every stage's cache key is a hash of its kind, its kind's
/// version, its parameters (defaults filled in), the keys of its inputs and the content of
/// the files its parameters name. A stage whose key already has a published artifact is
/// not run again; changing a parameter changes that stage's key and, through the input
/// keys, the keys of the stages downstream of it, and of no others.
public struct Runner {
    public enum Status: Equatable {
        case cached
        case stale(String)
        case forced
    }

    public struct PlannedStage {
        public var name: String
        public var kind: StageKind.Type
        public var key: String
        public var status: Status
        public var inputs: [String: String]
        var record: ArtifactRecord
    }

    public let pipeline: PipelineFile
    public let registry: [String: StageKind.Type]
    public var quiet = false

    public init(pipeline: PipelineFile, registry: [String: StageKind.Type] = StageRegistry.kinds) {
        self.pipeline = pipeline
        self.registry = registry
    }

    func stageDirectory(_ name: String) -> URL { pipeline.cacheDirectory.appendingPathComponent(name) }
    func artifactDirectory(_ name: String, _ key: String) -> URL { stageDirectory(name).appendingPathComponent(key) }

    /// Checks the pipeline and decides what must run. `until` limits the plan to a stage and
    /// what it depends on; `force` reruns the named stages and everything downstream of them.
    public func plan(until: String? = nil, force: Set<String> = []) throws -> [PlannedStage] {
        let file = pipeline.path
        var byName: [String: PipelineFile.Stage] = [:]
        for s in pipeline.stages { byName[s.name] = s }
        for name in [until].compactMap({ $0 }) + force.sorted() where byName[name] == nil {
            throw InputError(file: file, "no stage named '\(name)' (stages: \(pipeline.stages.map(\.name).joined(separator: ", ")))")
        }

        // Validate kinds, inputs and parameters.
        var resolved: [String: [String: ParameterValue]] = [:]
        for s in pipeline.stages {
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
            var params: [String: ParameterValue] = [:]
            for (key, value) in s.parameters {
                let line = s.parameterLines[key] ?? s.line
                guard let spec = kind.parameters.first(where: { $0.name == key }) else {
                    throw InputError(file: file, line: line, "stage '\(s.name)': unknown parameter '\(key)' for kind '\(s.kind)' (known: \(kind.parameters.map(\.name).joined(separator: ", ")))")
                }
                guard let v = spec.type.coerce(value) else {
                    throw InputError(file: file, line: line, "stage '\(s.name)': parameter '\(key)' is \(value.display), expected \(spec.type.rawValue)")
                }
                params[key] = v
            }
            for spec in kind.parameters where params[spec.name] == nil {
                guard let d = spec.defaultValue else {
                    throw InputError(file: file, line: s.line, "stage '\(s.name)': missing parameter '\(spec.name)' (\(spec.help))")
                }
                params[spec.name] = d
            }
            resolved[s.name] = params
        }

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
            let params = resolved[name]!
            var files: [String: String] = [:]
            for spec in kind.parameters where spec.isFile {
                if case .string(let p)? = params[spec.name], !p.isEmpty {
                    let full = p.hasPrefix("/") ? p : URL(fileURLWithPath: pipeline.path).deletingLastPathComponent().appendingPathComponent(p).path
                    files[spec.name] = try fingerprints.fingerprint(full, stage: name, parameter: spec.name)
                }
            }
            let inputKeys = s.inputs.mapValues { keys[$0]! }
            var h = SHA256()
            h.update("kind=\(s.kind)\nversion=\(kind.version)\n")
            for k in params.keys.sorted() { h.update("param \(k)=\(params[k]!.canonical)\n") }
            for k in inputKeys.keys.sorted() { h.update("input \(k)=\(inputKeys[k]!)\n") }
            for k in files.keys.sorted() { h.update("file \(k)=\(files[k]!)\n") }
            let key = String(h.finalize().prefix(10).map { String(format: "%02x", $0) }.joined())
            keys[name] = key

            let record = ArtifactRecord(stage: name, kind: s.kind, version: kind.version, key: key,
                                        parameters: params.mapValues(\.display), inputs: s.inputs,
                                        inputKeys: inputKeys, files: files)
            let status: Status
            if forced.contains(name) {
                status = .forced
            } else if FileManager.default.fileExists(atPath: artifactDirectory(name, key).appendingPathComponent(ArtifactRecord.fileName).path) {
                status = .cached
            } else {
                status = .stale(staleReason(record))
            }
            plans.append(PlannedStage(name: name, kind: kind, key: key, status: status, inputs: s.inputs, record: record))
        }
        return plans
    }

    /// Why a stage must run, from the record of its last successful run.
    private func staleReason(_ now: ArtifactRecord) -> String {
        guard let last = ArtifactRecord.load(stageDirectory(now.stage).appendingPathComponent("last.json")) else {
            return "never run"
        }
        if last.key == now.key { return "artifact \(now.key) missing from the cache" }
        if last.version != now.version { return "stage version changed (\(last.version) -> \(now.version))" }
        var reasons: [String] = []
        for k in Set(last.parameters.keys).union(now.parameters.keys).sorted() where last.parameters[k] != now.parameters[k] {
            reasons.append("parameter '\(k)' changed (\(last.parameters[k] ?? "unset") -> \(now.parameters[k] ?? "unset"))")
        }
        for k in Set(last.inputKeys.keys).union(now.inputKeys.keys).sorted() where last.inputKeys[k] != now.inputKeys[k] {
            reasons.append("input '\(k)' (stage \(now.inputs[k] ?? last.inputs[k] ?? "?")) changed")
        }
        for k in Set(last.files.keys).union(now.files.keys).sorted() where last.files[k] != now.files[k] {
            reasons.append("file of parameter '\(k)' changed")
        }
        return reasons.isEmpty ? "key changed" : reasons.joined(separator: "; ")
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
        var ran: [String] = []
        var artifacts: [String: URL] = [:]
        for (i, p) in plans.enumerated() {
            let published = artifactDirectory(p.name, p.key)
            defer { artifacts[p.name] = published }
            let prefix = "[\(i + 1)/\(plans.count)] \(p.name) (\(p.record.kind))"
            if p.status == .cached {
                note("\(prefix): cached")
                try link(p.name, to: published)
                continue
            }
            if case .stale(let why) = p.status { note("\(prefix): running (\(why))") } else { note("\(prefix): running (forced)") }
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
                                       inputs: p.inputs.mapValues { artifacts[$0]! },
                                       parameters: try resolvedParameters(p),
                                       baseDirectory: URL(fileURLWithPath: pipeline.path).deletingLastPathComponent(),
                                       quiet: quiet,
                                       inputOrder: pipeline.stages.first { $0.name == p.name }?.inputOrder ?? [])
            try p.kind.run(context)
            var record = p.record
            record.seconds = Date().timeIntervalSince(start)
            record.created = ISO8601DateFormatter().string(from: Date())
            try record.write(to: work.appendingPathComponent(ArtifactRecord.fileName))
            try? fm.removeItem(at: published)
            guard rename(work.path, published.path) == 0 else {
                throw InputError(file: published.path, "cannot publish the stage's artifact")
            }
            try record.write(to: stageDirectory(p.name).appendingPathComponent("last.json"))
            try link(p.name, to: published)
            note("\(prefix): done in \(String(format: "%.1f", record.seconds ?? 0)) s")
            ran.append(p.name)
        }
        return ran
    }

    private func resolvedParameters(_ p: PlannedStage) throws -> [String: ParameterValue] {
        // Re-derive typed values (the record keeps display strings).
        let s = pipeline.stages.first { $0.name == p.name }!
        var params: [String: ParameterValue] = [:]
        for spec in p.kind.parameters {
            if let v = s.parameters[spec.name], let c = spec.type.coerce(v) { params[spec.name] = c } else { params[spec.name] = spec.defaultValue }
        }
        return params
    }

    /// Points `outputs/<stage>` at the stage's current artifact (a relative symlink, replaced atomically).
    private func link(_ stage: String, to artifact: URL) throws {
        let fm = FileManager.default
        try? fm.createDirectory(at: pipeline.outputDirectory, withIntermediateDirectories: true)
        let linkPath = pipeline.outputDirectory.appendingPathComponent(stage).path
        let target = relativePath(from: pipeline.outputDirectory, to: artifact)
        if let existing = try? fm.destinationOfSymbolicLink(atPath: linkPath), existing == target { return }
        let tmp = linkPath + ".link-\(getpid())"
        unlink(tmp)
        guard symlink(target, tmp) == 0, rename(tmp, linkPath) == 0 else {
            unlink(tmp)
            throw InputError(file: linkPath, "cannot link the stage's output here (is it a directory of its own?)")
        }
    }

    private func note(_ s: String) {
        if !quiet { FileHandle.standardError.write(Data((s + "\n").utf8)) }
    }
}

/// A relative path from directory `base` to `target` (both absolute).
func relativePath(from base: URL, to target: URL) -> String {
    let b = base.standardizedFileURL.pathComponents, t = target.standardizedFileURL.pathComponents
    var i = 0
    while i < b.count && i < t.count && b[i] == t[i] { i += 1 }
    return (Array(repeating: "..", count: b.count - i) + t[i...]).joined(separator: "/")
}

/// What the runner writes beside each artifact (`artifact.json`) and, for the latest run of a
/// stage, as `last.json`: enough to explain why a stage is stale.
struct ArtifactRecord: Codable {
    static let fileName = "artifact.json"
    var stage: String
    var kind: String
    var version: Int
    var key: String
    var parameters: [String: String]
    var inputs: [String: String]
    var inputKeys: [String: String]
    var files: [String: String]
    var created: String?
    var seconds: Double?

    static func load(_ url: URL) -> ArtifactRecord? {
        (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(ArtifactRecord.self, from: $0) }
    }

    func write(to url: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeData(try e.encode(self), to: url.path)
    }
}
