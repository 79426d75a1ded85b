import Foundation

/// The lines of a text file with their 1-based numbers; `\r\n` endings accepted, blank lines
/// skipped. A missing or unreadable file, or one that is not UTF-8, is an `InputError`.
func readTextLines(_ path: String) throws -> [(number: Int, text: Substring)] {
    guard FileManager.default.fileExists(atPath: path) else { throw InputError(file: path, "no such file") }
    guard let data = FileManager.default.contents(atPath: path) else { throw InputError(file: path, "cannot read the file") }
    guard let text = String(data: data, encoding: .utf8) else { throw InputError(file: path, "not UTF-8 text") }
    var lines: [(Int, Substring)] = []
    var number = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
        number += 1
        let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
        if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
        lines.append((number, line))
    }
    return lines
}

/// Image keys, one per line, unique. Leading and trailing spaces are part of no key.
public func readPathList(_ path: String) throws -> [String] {
    var seen: [String: Int] = [:]
    var paths: [String] = []
    for (number, text) in try readTextLines(path) {
        let key = text.trimmingCharacters(in: .whitespaces)
        if let first = seen.updateValue(number, forKey: key) {
            throw InputError(file: path, line: number, "duplicate path '\(key)' (first on line \(first))")
        }
        paths.append(key)
    }
    return paths
}
