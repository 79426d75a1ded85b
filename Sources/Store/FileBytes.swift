import Foundation

/// Reads a whole file, or fails naming it.
func readFileBytes(_ path: String) throws -> Data {
    guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missingFile(path: path) }
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    } catch {
        throw StoreError.io(path: path, message: "cannot read (\(error.localizedDescription))")
    }
}
