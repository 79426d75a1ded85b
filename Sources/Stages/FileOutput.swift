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
