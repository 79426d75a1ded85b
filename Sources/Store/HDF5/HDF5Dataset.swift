import CHDF5
import Foundation

/// A dataset of an open file. Row-oriented: the first dimension indexes rows and every read
/// or write covers whole rows, in row-major (C) order.
public final class HDF5Dataset {
    let file: HDF5File
    let handle: HDF5Handle
    public let name: String
    public let elementType: HDF5ElementType
    public private(set) var shape: [Int]
    private let fileType: HDF5Handle

    init(file: HDF5File, handle: HDF5Handle, name: String) throws {
        self.file = file
        self.handle = handle
        self.name = name
        let type = HDF5Handle(try checkID(H5Dget_type(handle.id), file.path, "read the type of '\(name)'"), close: H5Tclose)
        guard let element = HDF5ElementType.classify(type.id) else {
            throw StoreError.badFormat(path: file.path, message: "dataset '\(name)' has an element type the store does not use")
        }
        self.fileType = type
        self.elementType = element
        let space = HDF5Handle(try checkID(H5Dget_space(handle.id), file.path, "read the shape of '\(name)'"), close: H5Sclose)
        self.shape = try extent(of: space.id, file.path)
    }

    var path: String { file.path }
    public var rows: Int { shape.first ?? 1 }
    /// Elements per row: the product of every dimension after the first.
    public var rowWidth: Int { shape.dropFirst().reduce(1, *) }

    /// Grows or shrinks the first dimension.
    public func resize(rows newRows: Int) throws {
        var dims = ([newRows] + shape.dropFirst()).map { hsize_t($0) }
        try check(H5Dset_extent(handle.id, &dims), path, "resize '\(name)' to \(newRows) rows")
        shape[0] = newRows
    }

    /// File and memory dataspaces selecting rows `start ..< start + count`.
    private func selection(_ start: Int, _ count: Int) throws -> (file: HDF5Handle, memory: HDF5Handle) {
        guard start >= 0, count >= 0, start + count <= rows else {
            throw StoreError.invalidValue(path: path, message: "rows \(start)..<\(start + count) outside '\(name)' with \(rows) rows")
        }
        let fileSpace = HDF5Handle(try checkID(H5Dget_space(handle.id), path, "read the shape of '\(name)'"), close: H5Sclose)
        if !shape.isEmpty {
            var offset = [hsize_t](repeating: 0, count: shape.count)
            offset[0] = hsize_t(start)
            var counts = shape.map { hsize_t($0) }
            counts[0] = hsize_t(count)
            try check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &offset, nil, &counts, nil), path,
                      "select rows of '\(name)'")
        }
        let memory = try makeDataspace(shape.isEmpty ? [] : [count] + shape.dropFirst(), path)
        return (fileSpace, memory)
    }

    private func read(_ rows: Range<Int>, memoryType: hid_t, into buffer: UnsafeMutableRawPointer) throws {
        if rows.isEmpty { return }
        let (fileSpace, memory) = try selection(rows.lowerBound, rows.count)
        try check(H5Dread(handle.id, memoryType, memory.id, fileSpace.id, sf_H5P_DEFAULT(), buffer), path,
                  "read rows \(rows) of '\(name)'")
    }

    private func write(at start: Int, count: Int, memoryType: hid_t, from buffer: UnsafeRawPointer) throws {
        if count == 0 { return }
        let (fileSpace, memory) = try selection(start, count)
        try check(H5Dwrite(handle.id, memoryType, memory.id, fileSpace.id, sf_H5P_DEFAULT(), buffer), path,
                  "write rows \(start)..<\(start + count) of '\(name)'")
    }

    /// Reads rows as Float; integer and float files are converted, half precision exactly.
    public func readFloats(_ range: Range<Int>? = nil) throws -> [Float] {
        let r = range ?? 0..<rows
        guard elementType != .string else {
            throw StoreError.badFormat(path: path, message: "dataset '\(name)' holds strings, expected numbers")
        }
        let n = r.count * rowWidth
        if elementType == .float16 {
            var bits = [UInt16](repeating: 0, count: n)
            try bits.withUnsafeMutableBytes { try read(r, memoryType: fileType.id, into: $0.baseAddress!) }
            return bits.map { Float(Float16(bitPattern: $0)) }
        }
        // Uninitialised storage: HDF5 fills every element, and zeroing first would double the cost.
        return try [Float](unsafeUninitializedCapacity: n) { buffer, initialised in
            if n > 0 { try read(r, memoryType: sf_H5T_NATIVE_FLOAT(), into: buffer.baseAddress!) }
            initialised = n
        }
    }

    /// Reads rows as Int64; only integer datasets qualify.
    public func readInt64(_ range: Range<Int>? = nil) throws -> [Int64] {
        let r = range ?? 0..<rows
        guard elementType.isInteger else {
            throw StoreError.badFormat(path: path, message: "dataset '\(name)' holds \(elementType), expected integers")
        }
        var out = [Int64](repeating: 0, count: r.count * rowWidth)
        try out.withUnsafeMutableBytes { try read(r, memoryType: sf_H5T_NATIVE_INT64(), into: $0.baseAddress!) }
        return out
    }

    /// Writes Float rows starting at row `start`; a half-precision dataset gets each value
    /// rounded to nearest even half, like numpy's `astype(np.float16)`.
    public func writeFloats(_ values: [Float], at start: Int) throws {
        try writeFloats(values[...], at: start)
    }

    /// As `writeFloats(_:at:)` from part of a larger array, without copying it.
    public func writeFloats(_ values: ArraySlice<Float>, at start: Int) throws {
        guard values.count % Swift.max(1, rowWidth) == 0 else {
            throw StoreError.mismatch(message: "\(path): \(values.count) values are not whole rows of '\(name)'")
        }
        let count = rowWidth == 0 ? 0 : values.count / rowWidth
        if elementType == .float16 {
            let bits = values.map { Float16($0).bitPattern }
            try bits.withUnsafeBytes { try write(at: start, count: count, memoryType: fileType.id, from: $0.baseAddress!) }
        } else {
            try values.withUnsafeBytes { try write(at: start, count: count, memoryType: sf_H5T_NATIVE_FLOAT(), from: $0.baseAddress!) }
        }
    }

    public func writeInt64(_ values: [Int64], at start: Int) throws {
        let count = rowWidth == 0 ? 0 : values.count / rowWidth
        try values.withUnsafeBytes { try write(at: start, count: count, memoryType: sf_H5T_NATIVE_INT64(), from: $0.baseAddress!) }
    }

    /// Reads a one-dimensional string dataset, variable- or fixed-length (as h5py writes both).
    public func readStrings(_ range: Range<Int>? = nil) throws -> [String] {
        let r = range ?? 0..<rows
        guard elementType == .string, shape.count == 1 else {
            throw StoreError.badFormat(path: path, message: "dataset '\(name)' is not a one-dimensional string array")
        }
        if r.isEmpty { return [] }
        if H5Tis_variable_str(fileType.id) > 0 {
            let memType = try HDF5ElementType.string.makeFileType(path)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: r.count)
            try pointers.withUnsafeMutableBytes { try read(r, memoryType: memType.id, into: $0.baseAddress!) }
            defer {
                if let space = try? makeDataspace([r.count], path) {
                    pointers.withUnsafeMutableBytes { _ = H5Dvlen_reclaim(memType.id, space.id, sf_H5P_DEFAULT(), $0.baseAddress!) }
                }
            }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(fileType.id)
        let memType = HDF5Handle(try checkID(H5Tcopy(sf_H5T_C_S1()), path, "copy the string type"), close: H5Tclose)
        try check(H5Tset_size(memType.id, size), path, "size a string type")
        try check(H5Tset_strpad(memType.id, H5T_STR_NULLPAD), path, "pad a string type")
        var bytes = [UInt8](repeating: 0, count: r.count * size)
        try bytes.withUnsafeMutableBytes { try read(r, memoryType: memType.id, into: $0.baseAddress!) }
        return (0..<r.count).map { i in
            let slice = bytes[(i * size)..<((i + 1) * size)]
            let end = slice.firstIndex(of: 0) ?? slice.endIndex
            return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
        }
    }

    /// Writes variable-length UTF-8 strings starting at row `start`.
    public func writeStrings(_ values: [String], at start: Int) throws {
        let memType = try HDF5ElementType.string.makeFileType(path)
        var pointers: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        try pointers.withUnsafeMutableBytes {
            try write(at: start, count: values.count, memoryType: memType.id, from: $0.baseAddress!)
        }
    }
}

extension HDF5Dataset: HDF5AttributeOwner {
    var objectID: hid_t { handle.id }
    var objectName: String { name }
}
