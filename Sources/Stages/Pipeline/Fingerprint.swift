import Foundation

/// Content hashes of files named by stage parameters, remembered by (path, size, mtime) in
/// the cache directory so that an unchanged checkpoint is not re-read on every run.
struct FingerprintCache {
    private let file: URL
    private var entries: [String: String]
    private var dirty = false

    init(cacheDirectory: URL) {
        file = cacheDirectory.appendingPathComponent("fingerprints.json")
        entries = (try? JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))) ?? [:]
    }

    /// SHA-256 of the file's bytes; a directory's fingerprint covers its file names, sizes and
    /// modification times (image folders are treated as immutable: see docs/pipeline.md).
    mutating func fingerprint(_ path: String, stage: String, parameter: String) throws -> String {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw InputError(file: path, "stage '\(stage)': parameter '\(parameter)' names a file that does not exist")
        }
        let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        let id = "\(path)|\(st.st_size)|\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        if !isDirectory, let known = entries[id] { return known }
        var h = SHA256()
        if isDirectory {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? []
            for n in names {
                var s = stat()
                _ = stat((path as NSString).appendingPathComponent(n), &s)
                h.update("\(n)|\(s.st_size)|\(s.st_mtim.tv_sec)\n")
            }
        } else {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw InputError(file: path, "cannot read the file") }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
                chunk.withUnsafeBytes { h.update(buffer: $0) }
            }
        }
        let hex = h.finalize().map { String(format: "%02x", $0) }.joined()
        if !isDirectory {
            entries[id] = hex
            dirty = true
        }
        return hex
    }

    func save() {
        guard dirty, let data = try? JSONEncoder().encode(entries) else { return }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? writeData(data, to: file.path)
    }
}
