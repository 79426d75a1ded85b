import ArgumentParser
import Core
import Foundation

/// A stage's options decoded from its pipeline parameters, with everything that goes into
/// its cache key (docs/pipeline.md, "Caching").
///
/// The parameters become command-line arguments for the kind's options type and are parsed
/// by ArgumentParser, so defaults, types, enumerations and `validate()` come from the one
/// declaration the command uses. Path options are resolved once here: inside the artifact
/// of the input that anchors them, or against the pipeline file's folder, whose files (and
/// folders' listings) are fingerprinted.
struct StageConfiguration {
    var options: any ParsableArguments
    /// Parameter key -> canonical text (paths as written, with where they were resolved).
    var parameters: [String: String]
    /// Parameter key -> content digest of the file or folder it names, for paths resolved
    /// against the pipeline file (anchored paths are covered by their input's key).
    var files: [String: String]
    /// Parameter key -> the path as written, for messages.
    var fileNames: [String: String]
}

extension StageConfiguration {
    static func make<K: StageKind>(_ kind: K.Type, stage: PipelineFile.Stage, file: String,
                                   artifacts: [String: URL], upstreamKinds: [String: String], baseDirectory: URL,
                                   fingerprints: inout FingerprintCache) throws -> StageConfiguration {
        let fields = OptionFields.of(K.Options.self)
        var byKey: [String: OptionField] = [:]
        for f in fields { byKey[f.key] = f }
        let settable = fields.map(\.key).filter { !K.reservedOptions.contains($0) }
        func fail(_ message: String, key: String? = nil) -> InputError {
            InputError(file: file, line: key.flatMap { stage.parameterLines[$0] } ?? stage.line,
                       "stage '\(stage.name)': \(message)")
        }
        for key in stage.parameters.keys.sorted() where byKey[key] == nil || K.reservedOptions.contains(key) {
            let accepted = settable.isEmpty ? "none" : settable.joined(separator: ", ")
            throw fail("unknown parameter '\(key)' for kind '\(K.kind)' (accepted: \(accepted))", key: key)
        }

        // Connected inputs in the kind's order: the first that anchors a key resolves it.
        let connected = K.inputs.compactMap { spec -> (InputSpec, URL)? in
            guard !spec.role.hasSuffix("*"), let url = artifacts[spec.role] else { return nil }
            return (spec, url)
        }
        var raw = stage.parameters
        for (spec, _) in connected {
            for (key, value) in spec.provided(by: upstreamKinds[spec.role] ?? "") where raw[key] == nil {
                raw[key] = .string(value)
            }
        }
        func anchor(_ key: String) -> (role: String, url: URL)? {
            connected.first { $0.0.anchors.contains(key) }.map { ($0.0.role, $0.1) }
        }

        // First pass: the parameters as written, to learn every path option's value
        // (defaults included); second pass: the same with the paths resolved.
        let written = try parse(K.Options.self, arguments(raw, fields, fail), fields, fail)
        var resolvedRaw = raw
        var parameters: [String: String] = [:]
        var files: [String: String] = [:]
        var fileNames: [String: String] = [:]
        for (key, value) in OptionFields.values(of: written) {
            guard let field = byKey[key] else { continue }
            guard field.isPath else {
                parameters[key] = canonicalText(value)
                continue
            }
            let given = pathValues(value)
            var resolved: [ParameterValue] = []
            var texts: [String] = []
            for (i, p) in given.enumerated() {
                let label = field.repeats ? "\(key)[\(i)]" : key
                if let a = anchor(key), !p.path.hasPrefix("/") {
                    resolved.append(.string(p.relocated(to: a.url.appendingPathComponent(p.path).path).argument))
                    texts.append("\(p.argument) (in input \(a.role))")
                } else {
                    let full = p.path.hasPrefix("/") ? p.path : baseDirectory.appendingPathComponent(p.path).path
                    let digest = try fingerprints.fingerprint(full, folder: Swift.type(of: p).isFolder)
                    guard let digest else {
                        throw fail("parameter '\(key)' names \(p.path), which does not exist", key: key)
                    }
                    files[label] = digest
                    fileNames[label] = p.path
                    resolved.append(.string(p.relocated(to: full).argument))
                    texts.append(p.argument)
                }
            }
            if field.repeats {
                parameters[key] = "[" + texts.joined(separator: ", ") + "]"
            } else {
                parameters[key] = texts.first ?? "none"
            }
            if !given.isEmpty { resolvedRaw[key] = field.repeats ? .list(resolved) : resolved[0] }
        }
        let options = try parse(K.Options.self, arguments(resolvedRaw, fields, fail), fields, fail)
        return StageConfiguration(options: options, parameters: parameters, files: files, fileNames: fileNames)
    }

    /// Command-line arguments for the parameters: `--key value`, a list as one comma-separated
    /// value (or one `--key item` each for repeatable options), `--key` for a true flag.
    static func arguments(_ raw: [String: ParameterValue], _ fields: [OptionField],
                          _ fail: (String, String?) -> InputError) throws -> [String] {
        var argv: [String] = []
        for field in fields {
            guard let value = raw[field.key] else { continue }
            if field.isFlag {
                switch value {
                case .bool(true), .string("true"): argv.append(field.flag)
                case .bool(false), .string("false"): break
                default: throw fail("parameter '\(field.key)' is \(value.display), expected true or false", field.key)
                }
            } else if field.repeats {
                let items: [ParameterValue]
                if case .list(let l) = value { items = l } else { items = [value] }
                for item in items { argv += [field.flag, item.argument] }
            } else {
                argv += [field.flag, value.argument]
            }
        }
        return argv
    }

    static func parse<O: ParsableArguments>(_ type: O.Type, _ argv: [String], _ fields: [OptionField],
                                            _ fail: (String, String?) -> InputError) throws -> O {
        do {
            return try O.parse(argv)
        } catch {
            var message = O.message(for: error)
            var key: String?
            for f in fields.sorted(by: { $0.flag.count > $1.flag.count }) where message.contains(f.flag) {
                key = key ?? f.key
                let name = f.flag.dropFirst(2)
                message = message.replacingOccurrences(of: "'\(f.flag) <\(name)>'", with: "'\(f.key)'")
                message = message.replacingOccurrences(of: "\(f.flag) <\(name)>", with: "'\(f.key)'")
                message = message.replacingOccurrences(of: f.flag, with: "'\(f.key)'")
            }
            message = message.replacingOccurrences(of: "Missing expected argument", with: "missing parameter")
            message = message.replacingOccurrences(of: "The value", with: "the value")
            var line = message.split(separator: "\n").first.map(String.init) ?? message
            if line.contains("is invalid for"), let field = fields.first(where: { $0.key == key }),
               let expected = expectedText(field.valueType) {
                line += ": expected \(expected)"
            }
            throw fail(line, key)
        }
    }

    /// What a value of `type` looks like, for messages about a value that did not parse.
    private static func expectedText(_ type: Any.Type) -> String? {
        if type == Int.self || type == UInt64.self || type == Int64.self { return "an integer" }
        if type == Double.self || type == Float.self { return "a number" }
        if type == CommaList<Int>.self { return "a list of integers" }
        if type == CommaList<Double>.self { return "a list of numbers" }
        return nil
    }

    /// The path parameters in an option's value (none, one, or a list).
    private static func pathValues(_ value: Any) -> [any PathParameter] {
        if let p = value as? any PathParameter { return [p] }
        let m = Mirror(reflecting: value)
        if m.displayStyle == .optional { return m.children.first.map { pathValues($0.value) } ?? [] }
        if m.displayStyle == .collection { return m.children.flatMap { pathValues($0.value) } }
        return []
    }
}

/// The text a parsed option value contributes to a cache key: the same value always gives
/// the same text, and values that parse differently never do.
func canonicalText(_ value: Any) -> String {
    if let p = value as? any PathParameter { return p.argument }
    let m = Mirror(reflecting: value)
    if m.displayStyle == .optional { return m.children.first.map { canonicalText($0.value) } ?? "none" }
    if let a = value as? any ExpressibleByArgument { return a.defaultValueDescription }
    if m.displayStyle == .collection { return "[" + m.children.map { canonicalText($0.value) }.joined(separator: ",") + "]" }
    return String(describing: value)
}

extension ParameterValue {
    /// As a command-line value: lists joined with commas.
    var argument: String {
        switch self {
        case .list(let items): return items.map(\.argument).joined(separator: ",")
        default: return display
        }
    }
}
