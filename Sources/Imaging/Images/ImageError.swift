/// A failure to decode, encode or build an image; `description` is one line naming the file.
public struct ImageError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case missingFile
        case unreadable(String)
        case unknownFormat(firstBytes: String)
        case corrupt(format: String, detail: String)
        case truncated(format: String, detail: String)
        case unsupported(format: String, detail: String)
        case invalidSize(width: Int, height: Int)
        case bufferSize(expected: Int, got: Int)
        case cropTooLarge(width: Int, height: Int, imageWidth: Int, imageHeight: Int)
        case writeFailed(String)
    }

    /// The file concerned, when there is one.
    public let path: String?
    public let problem: Problem

    public init(path: String?, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        let subject = path.map { "image \($0)" } ?? "image"
        switch problem {
        case .missingFile: return "\(subject): no such file"
        case .unreadable(let why): return "\(subject): cannot read: \(why)"
        case .unknownFormat(let bytes):
            return "\(subject): not a PNG or JPEG file (first bytes \(bytes))"
        case .corrupt(let format, let detail): return "\(subject): corrupt \(format): \(detail)"
        case .truncated(let format, let detail): return "\(subject): truncated \(format): \(detail)"
        case .unsupported(let format, let detail): return "\(subject): unsupported \(format): \(detail)"
        case .invalidSize(let w, let h): return "\(subject): invalid size \(w)x\(h), expected positive sides"
        case .bufferSize(let expected, let got):
            return "\(subject): pixel buffer has \(got) bytes, expected width*height*3 = \(expected)"
        case .cropTooLarge(let w, let h, let iw, let ih):
            return "\(subject): cannot center-crop \(w)x\(h) from a \(iw)x\(ih) image"
        case .writeFailed(let why): return "\(subject): cannot write: \(why)"
        }
    }
}
