import Foundation

/// Publishes a file only once it is whole: `body` writes to a temporary name in the same
/// directory (so the final rename is atomic), which is renamed to `path` on success and
/// removed on failure. A later run therefore never trusts a half-written file.
public func writeAtomically<T>(to path: String, _ body: (_ temporaryPath: String) throws -> T) throws -> T {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: directory) else {
        throw StoreError.io(path: path, message: "directory \(directory) does not exist")
    }
    let temporary = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    do {
        let result = try body(temporary)
        guard rename(temporary, path) == 0 else {
            throw StoreError.io(path: path, message: "could not move the finished file into place (\(String(cString: strerror(errno))))")
        }
        return result
    } catch {
        unlink(temporary)
        throw error
    }
}

/// Reads a whole file, or fails naming it.
func readFileBytes(_ path: String) throws -> Data {
    guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missingFile(path: path) }
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    } catch {
        throw StoreError.io(path: path, message: "cannot read (\(error.localizedDescription))")
    }
}
