import Core
import Foundation

/// Reads a delimited text file line by line without building a String per line, so the
/// 15.6-million-line IJB-C pair lists parse in about a second. Fields are byte ranges of one
/// line; `\r\n` endings and blank lines are accepted. Line numbers are 1-based.
struct FieldScanner {
    enum Separator { case comma, whitespace }

    let path: String
    private let data: Data

    init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw InputError(file: path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, "cannot read the file")
        }
        self.path = path
        self.data = data
    }

    /// The fields of one line.
    struct Line {
        let number: Int
        fileprivate let bytes: UnsafeBufferPointer<UInt8>
        fileprivate let ranges: [Range<Int>]
        let path: String

        var count: Int { ranges.count }

        func string(_ i: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[ranges[i]]), as: UTF8.self)
        }

        func error(_ message: String) -> InputError { InputError(file: path, line: number, message) }

        /// A base-10 integer field (optional sign); anything else is an error naming the line.
        func int(_ i: Int, what: String) throws -> Int {
            let r = ranges[i]
            var v = 0, j = r.lowerBound, negative = false
            if j < r.upperBound && (bytes[j] == UInt8(ascii: "-") || bytes[j] == UInt8(ascii: "+")) {
                negative = bytes[j] == UInt8(ascii: "-"); j += 1
            }
            guard j < r.upperBound else { throw error("\(what) '\(string(i))' is not an integer") }
            while j < r.upperBound {
                let c = bytes[j]
                guard c >= 48 && c <= 57, v < Int.max / 10 - 10 else {
                    throw error("\(what) '\(string(i))' is not an integer")
                }
                v = v * 10 + Int(c - 48)
                j += 1
            }
            return negative ? -v : v
        }

        func double(_ i: Int, what: String) throws -> Double {
            guard let v = Double(string(i)) else { throw error("\(what) '\(string(i))' is not a number") }
            return v
        }
    }

    /// Calls `body` for every non-blank line with its fields split at `separator` (commas keep
    /// empty fields; whitespace runs separate fields). Fields are trimmed of spaces.
    func forEachLine(separator: Separator, _ body: (Line) throws -> Void) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            try scan(raw.bindMemory(to: UInt8.self), 0..<raw.count, firstNumber: 1, separator: separator, body)
        }
    }

    /// The same over contiguous chunks of the file in parallel (one per core, split at line
    /// ends), each with its own `State`; returns the states in file order. When several
    /// chunks fail, the error of the earliest chunk is thrown, so it is the first bad line.
    func forEachLineInParallel<State>(separator: Separator, minBytes: Int = 8 << 20, chunks wanted: Int? = nil,
                                      makeState: (_ chunk: Int) -> State,
                                      _ body: (inout State, Line) throws -> Void) throws -> [State] {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [State] in
            let buf = raw.bindMemory(to: UInt8.self)
            let n = buf.count
            let workers = n < minBytes ? 1 : max(1, wanted ?? ProcessInfo.processInfo.activeProcessorCount)
            var bounds = [0]
            for w in 1..<workers {
                var b = max(bounds.last!, n * w / workers)
                while b < n && buf[b - 1] != 10 { b += 1 }
                bounds.append(b)
            }
            bounds.append(n)
            let chunks = bounds.count - 1
            // first line number of every chunk
            let newlines = try parallelMap(chunks) { c -> Int in
                var k = 0
                for j in bounds[c]..<bounds[c + 1] where buf[j] == 10 { k += 1 }
                return k
            }
            var firstNumber = [1]
            for c in 0..<(chunks - 1) { firstNumber.append(firstNumber[c] + newlines[c]) }
            return try parallelMap(chunks) { c -> State in
                var state = makeState(c)
                try scan(buf, bounds[c]..<bounds[c + 1], firstNumber: firstNumber[c], separator: separator) {
                    try body(&state, $0)
                }
                return state
            }
        }
    }

    private func scan(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, firstNumber: Int,
                      separator: Separator, _ body: (Line) throws -> Void) throws {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(16)
        var start = range.lowerBound, number = firstNumber - 1
        let n = range.upperBound
        while start < n {
            number += 1
            var end = start
            while end < n && buf[end] != 10 { end += 1 }
            var lineEnd = end
            if lineEnd > start && buf[lineEnd - 1] == 13 { lineEnd -= 1 }
            ranges.removeAll(keepingCapacity: true)
            switch separator {
            case .comma:
                var f = start
                for j in start...lineEnd where j == lineEnd || buf[j] == UInt8(ascii: ",") {
                    ranges.append(trimmed(buf, f..<j))
                    f = j + 1
                }
                if ranges.count == 1 && ranges[0].isEmpty { ranges.removeAll() }
            case .whitespace:
                var j = start
                while j < lineEnd {
                    while j < lineEnd && (buf[j] == 32 || buf[j] == 9) { j += 1 }
                    let f = j
                    while j < lineEnd && buf[j] != 32 && buf[j] != 9 { j += 1 }
                    if j > f { ranges.append(f..<j) }
                }
            }
            if !ranges.isEmpty {
                try body(Line(number: number, bytes: buf, ranges: ranges, path: path))
            }
            start = end + 1
        }
    }

    private func trimmed(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Range<Int> {
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi && (buf[lo] == 32 || buf[lo] == 9) { lo += 1 }
        while hi > lo && (buf[hi - 1] == 32 || buf[hi - 1] == 9) { hi -= 1 }
        return lo..<hi
    }
}
