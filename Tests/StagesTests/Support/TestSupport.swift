import Foundation
import XCTest

/// Helpers shared by the Stages tests: the repository root, scratch directories, the built
/// `scaleface` binary, and the Python interpreter of `tools/pyenv.sh` for interop checks.
enum TestSupport {
    /// The repository root, found from this file's location (Tests/StagesTests/Support).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh empty directory removed when the test ends.
    static func scratchDirectory(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("scaleface-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// The `scaleface` executable built next to the test bundle.
    static var binary: URL {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDir, bundleDir.deletingLastPathComponent()] {
            let b = candidate.appendingPathComponent("scaleface")
            if FileManager.default.isExecutableFile(atPath: b.path) { return b }
        }
        return repoRoot.appendingPathComponent(".build/debug/scaleface")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion, capturing its output through temporary files (so a
    /// large output cannot block the child).
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                    currentDirectory: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let currentDirectory { p.currentDirectoryURL = currentDirectory }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: p.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static func scaleface(_ arguments: [String]) throws -> Result {
        try run(binary, arguments)
    }

    /// The Python interpreter of the project's virtual environment with numpy and h5py,
    /// created under .build/pyenv on first use (tools/pyenv.sh).
    static func python(packages: [String] = ["numpy", "h5py"]) throws -> URL {
        let r = try run(URL(fileURLWithPath: "/bin/bash"),
                        [repoRoot.appendingPathComponent("tools/pyenv.sh").path] + packages)
        guard r.status == 0 else {
            throw NSError(domain: "pyenv", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr])
        }
        return URL(fileURLWithPath: r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Files left in a directory, for "nothing half-written remains" checks.
    static func entries(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }
}
