import Core
import Crypto
import Foundation

/// Content digests of the files and folders stage parameters name (docs/pipeline.md,
/// "Caching"). A file's digest is the SHA-256 of its bytes, remembered in the cache folder by
/// (path, size, modification time, inode) so an unchanged checkpoint is not re-read on every
/// run. A folder's digest covers its sorted recursive listing: each entry's relative path,
/// size and modification time (its files' bytes are not read: rewriting an image in place
/// with the same size and time goes unseen; use `--force` then).
struct FingerprintCache {
    private let file: URL
    private var entries: [String: String]
    private var dirty = false

    init(cacheDirectory: URL) {
        file = cacheDirectory.appendingPathComponent("fingerprints.json")
        entries = (try? JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))) ?? [:]
    }

    /// The digest of `path`, or nil when nothing exists there. `folder` says which the
    /// parameter declared; what is on disk decides how it is digested.
    mutating func fingerprint(_ path: String, folder: Bool) throws -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        if (st.st_mode & S_IFMT) == S_IFDIR { return try folderDigest(path) }
        let id = "\(path)|\(st.st_size)|\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)|\(st.st_ino)"
        if let known = entries[id] { return known }
        let hex = "sha256:" + (try sha256Hex(file: path))
        entries[id] = hex
        dirty = true
        return hex
    }

    private func folderDigest(_ path: String) throws -> String {
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw InputError(file: path, "cannot list the folder")
        }
        var lines: [String] = []
        while let name = walker.nextObject() as? String {
            var s = stat()
            guard stat((path as NSString).appendingPathComponent(name), &s) == 0 else { continue }
            let isDir = (s.st_mode & S_IFMT) == S_IFDIR
            lines.append(isDir ? "\(name)/" : "\(name)|\(s.st_size)|\(s.st_mtim.tv_sec).\(s.st_mtim.tv_nsec)")
        }
        lines.sort()
        var h = SHA256()
        for l in lines { h.update(data: Data((l + "\n").utf8)) }
        return "listing:" + h.finalize().hexDigits
    }

    func save() {
        guard dirty, let data = try? JSONEncoder().encode(entries) else { return }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? writeData(data, to: file.path)
    }
}

extension SHA256 {
    mutating func update(_ text: String) { update(data: Data(text.utf8)) }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte (digests in keys and records).
    public var hexDigits: String { map { String(format: "%02x", $0) }.joined() }
}

/// The SHA-256 of `data` in hexadecimal.
public func sha256Hex(_ data: Data) -> String { SHA256.hash(data: data).hexDigits }

/// The SHA-256 of a file's bytes in hexadecimal, read in 4 MiB pieces.
public func sha256Hex(file path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw InputError(file: path, "cannot read the file") }
    defer { try? handle.close() }
    var h = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty { h.update(data: chunk) }
    return h.finalize().hexDigits
}
