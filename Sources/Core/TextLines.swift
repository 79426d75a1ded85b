import Foundation

/// The lines of a text file with their 1-based numbers: `\r\n` endings accepted, leading and
/// trailing spaces and tabs removed, blank lines skipped. Works on the UTF-8 bytes (Foundation's
/// trimming costs seconds on IJB-C-sized lists). A missing or unreadable file, or one that is
/// not UTF-8, is an `InputError`.
public func readTextLines(_ path: String) throws -> [(number: Int, text: Substring)] {
    guard FileManager.default.fileExists(atPath: path) else { throw InputError(file: path, "no such file") }
    guard let data = FileManager.default.contents(atPath: path) else { throw InputError(file: path, "cannot read the file") }
    return try textLines(data, file: path)
}

/// The lines of text already in memory, as `readTextLines` gives them; `file` names it in errors.
public func textLines(_ data: Data, file path: String) throws -> [(number: Int, text: Substring)] {
    var lines: [(Int, Substring)] = []
    var number = 0
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        let bytes = raw.bindMemory(to: UInt8.self)
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            number += 1
            var a = start, b = end
            while a < b && (bytes[a] == 0x20 || bytes[a] == 0x09) { a += 1 }
            while b > a && (bytes[b - 1] == 0x20 || bytes[b - 1] == 0x09 || bytes[b - 1] == 0x0D) { b -= 1 }
            if a < b {
                guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[a..<b]), as: UTF8.self) else {
                    throw InputError(file: path, line: number, "not UTF-8 text")
                }
                lines.append((number, Substring(text)))
            }
            start = end + 1
        }
    }
    return lines
}

/// Image keys, one per line, unique.
public func readPathList(_ path: String) throws -> [String] {
    let lines = try readTextLines(path)
    var seen: [String: Int] = [:]
    seen.reserveCapacity(lines.count)
    var paths: [String] = []
    paths.reserveCapacity(lines.count)
    for (number, text) in lines {
        let key = String(text)
        if let first = seen.updateValue(number, forKey: key) {
            throw InputError(file: path, line: number, "duplicate path '\(key)' (first on line \(first))")
        }
        paths.append(key)
    }
    return paths
}
