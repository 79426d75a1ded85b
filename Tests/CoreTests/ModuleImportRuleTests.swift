import Foundation
import XCTest

/// The import rule of docs/architecture.md: every `import` in `Sources/<Module>` names
/// Foundation, Dispatch or Glibc, or one of the target's dependencies as Package.swift
/// declares them. A module therefore never reaches past its stated dependencies, even
/// where SwiftPM would let a transitive one through.
final class ModuleImportRuleTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let alwaysAllowed: Set<String> = ["Foundation", "Dispatch", "Glibc"]

    /// Target name -> the modules it may import (its dependencies; products by product name).
    static func declaredDependencies() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var rules: [String: Set<String>] = [:]
        // `.target(name: "X", dependencies: [...]` and `.executableTarget(...)`, `.testTarget(...)`.
        let target = try NSRegularExpression(pattern: #"\.(?:target|executableTarget|testTarget|systemLibrary)\(name:\s*"(\w+)"((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)"#)
        let quoted = try NSRegularExpression(pattern: #""(\w+)"|\.product\(name:\s*"(\w+)""#)
        let ns = text as NSString
        for m in target.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let name = ns.substring(with: m.range(at: 1))
            let rest = ns.substring(with: m.range(at: 2))
            var deps: Set<String> = []
            if let d = rest.range(of: "dependencies:") {
                let list = String(rest[d.upperBound...])
                var depth = 0, end = list.startIndex
                for i in list.indices {
                    if list[i] == "[" { depth += 1 }
                    if list[i] == "]" { depth -= 1; if depth == 0 { end = i; break } }
                }
                let deps0 = String(list[..<end])
                let dn = deps0 as NSString
                for q in quoted.matches(in: deps0, range: NSRange(location: 0, length: dn.length)) {
                    let r = q.range(at: 2).location != NSNotFound ? q.range(at: 2) : q.range(at: 1)
                    let dep = dn.substring(with: r)
                    if dep != "name" { deps.insert(dep) }
                }
            }
            rules[name] = deps
        }
        return rules
    }

    func testEveryImportIsADeclaredDependency() throws {
        let rules = try Self.declaredDependencies()
        // The modules of docs/architecture.md's map are all declared.
        for module in ["Core", "Store", "Analysis", "Checkpoint", "Backbone", "Training", "Imaging", "Figures",
                       "Datasets", "Pipeline", "Stages", "scaleface"] {
            XCTAssertNotNil(rules[module], "Package.swift declares no target \(module)")
        }
        XCTAssertEqual(rules["Core"], [], "Core is the leaf every module imports; it imports nothing of ours")
        let importLine = try NSRegularExpression(pattern: #"^\s*(?:@testable\s+|@_exported\s+)?import\s+(?:(?:struct|enum|class|func|protocol|typealias)\s+)?(\w+)"#,
                                                 options: .anchorsMatchLines)
        var violations: [String] = []
        var checked = 0
        for (root, isTest) in [("Sources", false), ("Tests", true)] {
            let dir = Self.root.appendingPathComponent(root)
            for module in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
                guard let allowed = rules[module] else { continue }
                let walker = FileManager.default.enumerator(atPath: dir.appendingPathComponent(module).path)
                while let file = walker?.nextObject() as? String {
                    guard file.hasSuffix(".swift") else { continue }
                    let whole = try String(contentsOf: dir.appendingPathComponent(module).appendingPathComponent(file), encoding: .utf8)
                    // The file's header: imports come before the first declaration.
                    let header = whole.split(separator: "\n", omittingEmptySubsequences: false).prefix { line in
                        let t = line.trimmingCharacters(in: .whitespaces)
                        return t.isEmpty || t.hasPrefix("//") || t.hasPrefix("import ") || t.hasPrefix("@testable import ")
                    }
                    let text = header.joined(separator: "\n")
                    let ns = text as NSString
                    for m in importLine.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                        let imported = ns.substring(with: m.range(at: 1))
                        checked += 1
                        if Self.alwaysAllowed.contains(imported) || allowed.contains(imported) { continue }
                        if isTest && imported == "XCTest" { continue }
                        violations.append("\(root)/\(module)/\(file): imports \(imported), not among \(module)'s dependencies \(allowed.sorted())")
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 200, "the scan found the import lines")
        XCTAssertEqual(violations, [], violations.joined(separator: "\n"))
    }

    /// The dependency graph has no cycle (SwiftPM would refuse one; this keeps the rule
    /// readable as layers).
    func testTheModulesFormLayers() throws {
        let rules = try Self.declaredDependencies()
        var state: [String: Int] = [:]
        func visit(_ m: String, _ path: [String]) {
            if state[m] == 2 { return }
            XCTAssertNotEqual(state[m], 1, "cycle: \((path + [m]).joined(separator: " -> "))")
            if state[m] == 1 { return }
            state[m] = 1
            for d in rules[m] ?? [] where rules[d] != nil { visit(d, path + [m]) }
            state[m] = 2
        }
        for m in rules.keys.sorted() { visit(m, []) }
    }
}
