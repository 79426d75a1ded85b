import Foundation
import Store

/// Writes bytes atomically through Store's `writeAtomically` (temporary name in the same
/// directory, then rename), so no reader ever sees half a file.
func writeData(_ data: Data, to path: String) throws {
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
func writeAtomically(to path: String, reportingFailure produce: (String) -> String?) -> String? {
    struct Failure: Error { let reason: String }
    do {
        try writeAtomically(to: path) { tmp in
            if let reason = produce(tmp) { throw Failure(reason: reason) }
        }
        return nil
    } catch let f as Failure {
        return f.reason
    } catch StoreError.io(_, let message) {
        return message
    } catch {
        return "\(error)"
    }
}
