import Core
import Foundation
import Yams

/// A pipeline file (`pipelines/*.yaml`): named stages, their kinds, inputs and parameters.
///
/// ```yaml
/// name: demo
/// cache: ../out/demo/cache      # artifacts, content-addressed (relative to this file)
/// outputs: ../out/demo          # each stage's current artifact is linked here by stage name
/// variables: {seed: 7}          # ${seed} in any string; `scaleface run --set seed=8` overrides
/// stages:
///   data:
///     kind: synth-embeddings
///     params: {identities: 300, seed: "${seed}"}
///   store:
///     kind: import
///     inputs: {data: data}
/// ```
public struct PipelineFile {
    public struct Stage {
        public var name: String
        public var kind: String
        /// Role -> name of the upstream stage.
        public var inputs: [String: String]
        /// The roles in the order the file lists them.
        public var inputOrder: [String]
        public var parameters: [String: ParameterValue]
        /// Line of the stage in the file, for errors.
        public var line: Int
        var parameterLines: [String: Int]
    }

    public var path: String
    public var name: String
    public var cacheDirectory: URL
    public var outputDirectory: URL
    public var stages: [Stage]

    public static func load(_ path: String, overrides: [String: String] = [:]) throws -> PipelineFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw InputError(file: path, "not UTF-8 text") }
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: text) else { throw InputError(file: path, "empty pipeline file") }
            root = r
        } catch let e as InputError {
            throw e
        } catch let e as YamlError {
            throw InputError(file: path, "not valid YAML: \(String(describing: e).split(separator: "\n").first ?? "")")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func line(_ n: Node) -> Int? { n.mark.map { $0.line } }
        func fail(_ n: Node?, _ message: String) -> InputError { InputError(file: path, line: n.flatMap(line), message) }

        guard let top = root.mapping else { throw fail(root, "expected a mapping with 'name', 'stages', ...") }
        let known = ["name", "cache", "outputs", "variables", "stages"]
        for (k, _) in top {
            guard let key = k.string, known.contains(key) else {
                throw fail(k, "unknown top-level key '\(k.string ?? "?")' (known: \(known.joined(separator: ", ")))")
            }
        }
        var variables: [String: String] = [:]
        if let v = top["variables"] {
            guard let m = v.mapping else { throw fail(v, "'variables' must be a mapping of names to values") }
            for (k, value) in m {
                guard let key = k.string, let s = value.scalar?.string else { throw fail(k, "variables must be name: value") }
                variables[key] = s
            }
        }
        for (k, v) in overrides {
            guard variables[k] != nil else {
                throw InputError(file: path, "variable \(k): no such variable (the file declares: \(variables.keys.sorted().joined(separator: ", ")))")
            }
            variables[k] = v
        }
        // A variable's value may use other variables (`meta: ${ijbc}/meta`); a cycle is an error.
        func substitute(_ s: String, _ node: Node, _ using: [String] = []) throws -> String {
            var out = ""
            var rest = Substring(s)
            while let r = rest.range(of: "${") {
                out += rest[..<r.lowerBound]
                guard let close = rest[r.upperBound...].firstIndex(of: "}") else { throw fail(node, "unclosed '${' in '\(s)'") }
                let name = String(rest[r.upperBound..<close])
                guard let value = variables[name] else { throw fail(node, "unknown variable '${\(name)}'") }
                guard !using.contains(name) else {
                    throw fail(node, "variables refer to each other in a cycle: \((using + [name]).joined(separator: " -> "))")
                }
                out += try substitute(value, node, using + [name])
                rest = rest[rest.index(after: close)...]
            }
            return out + rest
        }
        func value(_ n: Node) throws -> ParameterValue {
            if let seq = n.sequence { return .list(try seq.map(value)) }
            guard let scalar = n.scalar else { throw fail(n, "expected a value or a list of values") }
            let text = try substitute(scalar.string, n)
            if scalar.style != .plain { return .string(text) }
            if let i = Int(text) { return .int(i) }
            if let d = Double(text), text.rangeOfCharacter(from: .decimalDigits) != nil { return .double(d) }
            if text == "true" { return .bool(true) }
            if text == "false" { return .bool(false) }
            return .string(text)
        }

        func textValue(_ key: String) throws -> String? {
            guard let n = top[key] else { return nil }
            guard let s = n.string else { throw fail(n, "'\(key)' must be text") }
            return try substitute(s, n)
        }
        let name = try textValue("name") ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        func directory(_ key: String, _ fallback: String) throws -> URL {
            let s = try textValue(key) ?? fallback
            return s.hasPrefix("/") ? URL(fileURLWithPath: s) : base.appendingPathComponent(s).standardizedFileURL
        }
        let outputs = try directory("outputs", "../out/\(name)")
        let cache = try directory("cache", outputs.appendingPathComponent("cache").path)

        guard let stagesNode = top["stages"], let stageMap = stagesNode.mapping, !stageMap.isEmpty else {
            throw fail(top["stages"] ?? root, "expected 'stages:' with at least one stage")
        }
        var stages: [Stage] = []
        for (k, body) in stageMap {
            guard let stageName = k.string, !stageName.isEmpty, !stageName.contains("/"), !stageName.hasPrefix(".") else {
                throw fail(k, "stage names must be plain words (no '/')")
            }
            guard let m = body.mapping else { throw fail(body, "stage '\(stageName)': expected kind, inputs, params") }
            for (key, _) in m where !["kind", "inputs", "params"].contains(key.string ?? "") {
                throw fail(key, "stage '\(stageName)': unknown key '\(key.string ?? "?")' (known: kind, inputs, params)")
            }
            guard let kind = m["kind"]?.string else { throw fail(body, "stage '\(stageName)': missing 'kind'") }
            var inputs: [String: String] = [:]
            var inputOrder: [String] = []
            if let i = m["inputs"] {
                guard let im = i.mapping else { throw fail(i, "stage '\(stageName)': inputs must map roles to stage names") }
                for (role, upstream) in im {
                    guard let r = role.string, let u = upstream.string else { throw fail(role, "stage '\(stageName)': inputs must be role: stage") }
                    inputs[r] = u
                    inputOrder.append(r)
                }
            }
            var parameters: [String: ParameterValue] = [:]
            var parameterLines: [String: Int] = [:]
            if let p = m["params"] {
                guard let pm = p.mapping else { throw fail(p, "stage '\(stageName)': params must be a mapping") }
                for (key, v) in pm {
                    guard let pk = key.string else { throw fail(key, "stage '\(stageName)': parameter names are words") }
                    parameters[pk] = try value(v)
                    parameterLines[pk] = line(key)
                }
            }
            stages.append(Stage(name: stageName, kind: kind, inputs: inputs, inputOrder: inputOrder, parameters: parameters,
                                line: line(k) ?? 0, parameterLines: parameterLines))
        }
        return PipelineFile(path: path, name: name, cacheDirectory: cache, outputDirectory: outputs, stages: stages)
    }
}
