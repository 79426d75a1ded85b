import Core
import Foundation

/// One line of an InsightFace-style landmark file.
public struct LandmarkRecord: Equatable, Sendable {
    public var imageName: String
    /// Left eye, right eye, nose tip, left mouth corner, right mouth corner, in pixels.
    public var points: [SIMD2<Double>]
    public var detectorScore: Double

    public init(imageName: String, points: [SIMD2<Double>], detectorScore: Double) {
        self.imageName = imageName
        self.points = points
        self.detectorScore = detectorScore
    }
}

/// The InsightFace landmark layout (docs/alignment.md, "Landmark files"; e.g. IJB-C's
/// `ijbc_name_5pts_score.txt`): per line `image_name x1 y1 x2 y2 x3 y3 x4 y4 x5 y5 detector_score`,
/// fields separated by spaces or tabs. Blank lines are skipped; an image named twice is an error.
public struct LandmarkFile: Sendable {
    public var records: [LandmarkRecord]
    private var lookup: [String: Int]

    public init(records: [LandmarkRecord]) {
        self.records = records
        var lookup: [String: Int] = [:]
        for (i, r) in records.enumerated() where lookup[r.imageName] == nil { lookup[r.imageName] = i }
        self.lookup = lookup
    }

    /// The record of an image, by its name as written in the file.
    public subscript(imageName: String) -> LandmarkRecord? {
        lookup[imageName].map { records[$0] }
    }

    /// Reads and checks a landmark file; errors are `InputError`s naming the file and line.
    public static func read(path: String) throws -> LandmarkFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            throw InputError(file: path, !exists ? "no such landmark file"
                                     : isDir.boolValue ? "is a directory, expected a landmark file" : "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, "not UTF-8 text, expected lines 'image_name x1 y1 ... x5 y5 detector_score'")
        }
        return try parse(text, file: path)
    }

    static let fieldNames = ["image_name", "x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4", "x5", "y5", "detector_score"]

    /// Parses the text of a landmark file; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> LandmarkFile {
        var records: [LandmarkRecord] = []
        var firstLine: [String: Int] = [:]
        for (lineNumber, line) in try textLines(Data(text.utf8), file: file) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 12 else {
                throw InputError(file: file, line: lineNumber,
                                 "expected 12 fields 'image_name x1 y1 x2 y2 x3 y3 x4 y4 x5 y5 detector_score', found \(fields.count)")
            }
            var values: [Double] = []
            for k in 1..<12 {
                guard let v = Double(fields[k]), v.isFinite else {
                    throw InputError(file: file, line: lineNumber,
                                     "field \(k + 1) (\(fieldNames[k])) is '\(fields[k])', expected a finite number")
                }
                values.append(v)
            }
            let name = String(fields[0])
            if let earlier = firstLine[name] {
                throw InputError(file: file, line: lineNumber, "image '\(name)' is listed again (first on line \(earlier))")
            }
            firstLine[name] = lineNumber
            let points = (0..<5).map { SIMD2(values[2 * $0], values[2 * $0 + 1]) }
            records.append(LandmarkRecord(imageName: name, points: points, detectorScore: values[10]))
        }
        return LandmarkFile(records: records)
    }

    /// The file's text: one line per record, coordinates with 4 decimals, the score with 6.
    public static func format(_ records: [LandmarkRecord]) -> String {
        var out = ""
        out.reserveCapacity(records.count * 90)
        for r in records {
            out += r.imageName
            for p in r.points { out += " " + fixed(p.x, 4) + " " + fixed(p.y, 4) }
            out += " " + fixed(r.detectorScore, 6) + "\n"
        }
        return out
    }
}

/// `String(format: "%.<digits>f")`, spelled out so that the result is the same on every platform.
public func fixed(_ v: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", v)
}
