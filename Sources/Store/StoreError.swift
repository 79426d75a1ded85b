import Foundation

/// Errors from reading or writing stores and arrays. Each names the file and, where there
/// is one, the key or row, and says what was expected; `description` is one line.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case io(path: String, message: String)
    case badFormat(path: String, message: String)
    case hdf5(path: String, operation: String)
    case invalidValue(path: String, message: String)
    case mismatch(message: String)

    public var description: String {
        switch self {
        case .missingFile(let path): return "\(path): no such file"
        case .io(let path, let message): return "\(path): \(message)"
        case .badFormat(let path, let message): return "\(path): \(message)"
        case .hdf5(let path, let operation): return "\(path): HDF5 could not \(operation)"
        case .invalidValue(let path, let message): return "\(path): \(message)"
        case .mismatch(let message): return message
        }
    }
}
