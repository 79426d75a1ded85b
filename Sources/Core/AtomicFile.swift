import Foundation

// Atomic publishing: the one home for "write under a temporary name, then rename", for files
// and for folders, so a later run never trusts half-written output (docs/architecture.md).

/// Publishes a file only once it is whole: `body` writes to a temporary name in the same
/// directory (so the final rename is atomic), which is renamed to `path` on success and
/// removed on failure.
public func writeAtomically<T>(to path: String, _ body: (_ temporaryPath: String) throws -> T) throws -> T {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: directory) else {
        throw InputError(file: path, "directory \(directory) does not exist")
    }
    let temporary = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    do {
        let result = try body(temporary)
        try publishFile(temporary, at: path)
        return result
    } catch {
        unlink(temporary)
        throw error
    }
}

/// Moves a finished file into place (an atomic rename within one file system); `path` never
/// holds a partial file. Used by `writeAtomically` and by writers that fill a partial file
/// over time (the embedding store).
public func publishFile(_ finished: String, at path: String) throws {
    guard rename(finished, path) == 0 else {
        throw InputError(file: path, "could not move the finished file into place (\(String(cString: strerror(errno))))")
    }
}

/// Points the symbolic link `path` at `target`, replacing any link there atomically (a new
/// link under a temporary name, then a rename).
public func replaceSymbolicLink(at path: String, pointingTo target: String) throws {
    if let existing = try? FileManager.default.destinationOfSymbolicLink(atPath: path), existing == target { return }
    let tmp = path + ".link-\(getpid())"
    unlink(tmp)
    guard symlink(target, tmp) == 0, rename(tmp, path) == 0 else {
        unlink(tmp)
        throw InputError(file: path, "cannot link here (is it a folder of its own?)")
    }
}

/// Writes bytes atomically.
public func writeData(_ data: Data, to path: String) throws {
    try writeAtomically(to: path) { tmp in
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw InputError(file: path, "cannot write the file")
        }
    }
}

/// Writes UTF-8 text atomically.
public func writeText(_ text: String, to path: String) throws {
    try writeData(Data(text.utf8), to: path)
}

/// `writeAtomically` for C writers that report failure as a reason (libpng, cairo):
/// `produce` writes the temporary path and returns nil or why it failed. Returns nil on
/// success or the reason (including a missing directory or a failed rename); the temporary
/// file never survives.
public func writeAtomically(to path: String, reportingFailure produce: (String) -> String?) -> String? {
    struct Failure: Error { let reason: String }
    do {
        try writeAtomically(to: path) { tmp in
            if let reason = produce(tmp) { throw Failure(reason: reason) }
        }
        return nil
    } catch let f as Failure {
        return f.reason
    } catch let e as InputError {
        return e.message
    } catch {
        return "\(error)"
    }
}

/// Publishes a finished folder: renames `finished` to `destination`, replacing an older
/// folder there. The rename is atomic; `destination` never holds a partial folder.
public func publishDirectory(_ finished: URL, at destination: URL) throws {
    let fm = FileManager.default
    if fm.fileExists(atPath: destination.path) {
        // Move the old one aside first, so a failure never leaves neither.
        let aside = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).old-\(getpid())")
        try? fm.removeItem(at: aside)
        guard rename(destination.path, aside.path) == 0 else {
            throw InputError(file: destination.path, "cannot replace the folder (\(String(cString: strerror(errno))))")
        }
        defer { try? fm.removeItem(at: aside) }
        guard rename(finished.path, destination.path) == 0 else {
            _ = rename(aside.path, destination.path)
            throw InputError(file: destination.path, "cannot publish the folder (\(String(cString: strerror(errno))))")
        }
        return
    }
    guard rename(finished.path, destination.path) == 0 else {
        throw InputError(file: destination.path, "cannot publish the folder (\(String(cString: strerror(errno))))")
    }
}

/// Builds a folder under a temporary name beside `destination` and publishes it there only
/// when `body` returns; on failure the temporary folder is removed and `destination` is untouched.
public func writeDirectoryAtomically<T>(to destination: URL, _ body: (_ temporary: URL) throws -> T) throws -> T {
    let fm = FileManager.default
    let parent = destination.deletingLastPathComponent()
    do {
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
    } catch {
        throw InputError(file: parent.path, "cannot create the folder")
    }
    let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    do {
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        let result = try body(staging)
        try publishDirectory(staging, at: destination)
        return result
    } catch {
        try? fm.removeItem(at: staging)
        throw error
    }
}
