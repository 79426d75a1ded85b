import Foundation

/// Writes a file under a temporary name in the destination's directory and renames it into
/// place, so that readers never see a half-written file and a failure leaves nothing behind.
enum AtomicFileWrite {
    /// A sibling of `path` that no other writer uses: `.<name>.tmp-<pid>-<random>`.
    static func temporarySibling(of path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return (dir as NSString).appendingPathComponent(".\(name).tmp-\(getpid())-\(token)")
    }

    /// Fails with a reason when the destination's directory does not exist.
    static func checkDirectory(of path: String) -> String? {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            return "directory \(dir) does not exist"
        }
        if !isDir.boolValue { return "\(dir) is not a directory" }
        return nil
    }

    /// Calls `produce` with a temporary path, then renames it to `path`. `produce` returns an
    /// error reason or nil. Returns an error reason or nil; the temporary file never survives.
    static func write(to path: String, produce: (String) -> String?) -> String? {
        if let why = checkDirectory(of: path) { return why }
        let tmp = temporarySibling(of: path)
        if let why = produce(tmp) {
            unlink(tmp)
            return why
        }
        if rename(tmp, path) != 0 {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            return "rename from \(tmp) failed: \(why)"
        }
        return nil
    }

    /// Writes `bytes` to `path` atomically; returns an error reason or nil.
    static func write(_ bytes: [UInt8], to path: String) -> String? {
        write(to: path) { tmp in
            let data = Data(bytes)
            do {
                try data.write(to: URL(fileURLWithPath: tmp))
                return nil
            } catch {
                return error.localizedDescription
            }
        }
    }
}
