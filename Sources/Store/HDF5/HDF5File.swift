import CHDF5
import Foundation

/// An open HDF5 file. Closing happens on `close()` (which reports errors) or on deinit.
public final class HDF5File {
    public let path: String
    let handle: HDF5Handle

    private init(path: String, handle: HDF5Handle) {
        self.path = path
        self.handle = handle
    }

    /// Creates a file, replacing any file at `path`. Files are written in HDF5's default
    /// (earliest) format so that every HDF5 1.8+ reader, h5py included, opens them.
    public static func create(_ path: String) throws -> HDF5File {
        HDF5Library.silenced
        let id = H5Fcreate(path, sf_H5F_ACC_TRUNC(), sf_H5P_DEFAULT(), sf_H5P_DEFAULT())
        return HDF5File(path: path, handle: HDF5Handle(try checkID(id, path, "create the file"), close: H5Fclose))
    }

    /// Opens an existing file; a missing, truncated or non-HDF5 file is a `StoreError`.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        HDF5Library.silenced
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missingFile(path: path) }
        if H5Fis_hdf5(path) <= 0 {
            throw StoreError.badFormat(path: path, message: "not an HDF5 file (no HDF5 signature)")
        }
        let id = H5Fopen(path, writable ? sf_H5F_ACC_RDWR() : sf_H5F_ACC_RDONLY(), sf_H5P_DEFAULT())
        guard id >= 0 else {
            throw StoreError.badFormat(path: path, message: "HDF5 could not open the file (truncated or damaged)")
        }
        return HDF5File(path: path, handle: HDF5Handle(id, close: H5Fclose))
    }

    public var root: HDF5Group { HDF5Group(file: self, handle: handle, name: "/") }

    /// Writes every cached dataset chunk and then the metadata to disk.
    public func flush() throws {
        try check(H5Fflush(handle.id, H5F_SCOPE_GLOBAL), path, "flush the file")
    }
}

/// A group of an open file (the root group included).
public struct HDF5Group {
    let file: HDF5File
    let handle: HDF5Handle
    public let name: String

    var path: String { file.path }

    public func contains(_ child: String) -> Bool {
        // H5Lexists fails on intermediate missing groups, so walk the path one level at a time.
        var prefix = ""
        for part in child.split(separator: "/") {
            prefix += prefix.isEmpty ? String(part) : "/" + part
            if H5Lexists(handle.id, prefix, sf_H5P_DEFAULT()) <= 0 { return false }
        }
        return !prefix.isEmpty
    }

    public func group(_ child: String) throws -> HDF5Group {
        guard contains(child) else { throw StoreError.badFormat(path: path, message: "missing group '\(child)'") }
        let id = H5Gopen2(handle.id, child, sf_H5P_DEFAULT())
        return HDF5Group(file: file, handle: HDF5Handle(try checkID(id, path, "open group '\(child)'"), close: H5Gclose),
                         name: child)
    }

    public func createGroup(_ child: String) throws -> HDF5Group {
        let id = H5Gcreate2(handle.id, child, sf_H5P_DEFAULT(), sf_H5P_DEFAULT(), sf_H5P_DEFAULT())
        return HDF5Group(file: file, handle: HDF5Handle(try checkID(id, path, "create group '\(child)'"), close: H5Gclose),
                         name: child)
    }

    /// Names of the direct children (groups and datasets), sorted.
    public func childNames() throws -> [String] {
        var names: [String] = []
        var info = H5G_info_t()
        try check(H5Gget_info(handle.id, &info), path, "list group '\(name)'")
        for i in 0..<info.nlinks {
            let n = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, sf_H5P_DEFAULT())
            guard n >= 0 else { throw StoreError.hdf5(path: path, operation: "read a link name in '\(name)'") }
            var buffer = [CChar](repeating: 0, count: Int(n) + 1)
            _ = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(n) + 1, sf_H5P_DEFAULT())
            names.append(String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names.sorted()
    }

    public func dataset(_ child: String) throws -> HDF5Dataset {
        guard contains(child) else { throw StoreError.badFormat(path: path, message: "missing dataset '\(qualified(child))'") }
        let dapl = try datasetAccessList(path)
        let id = H5Dopen2(handle.id, child, dapl.id)
        return try HDF5Dataset(file: file, handle: HDF5Handle(try checkID(id, path, "open dataset '\(qualified(child))'"),
                                                              close: H5Dclose),
                               name: qualified(child))
    }

    /// Creates a chunked dataset whose first dimension can grow without limit.
    ///
    /// - `chunkRows`: rows per chunk; the other dimensions are whole in every chunk, so one
    ///   chunk holds complete rows and a batch of rows touches as few chunks as possible.
    /// - `allocateNow`: allocate every chunk at creation. Later writes of row data then change
    ///   no metadata at all, which is what lets an interrupted writer resume safely.
    public func createDataset(_ child: String, type: HDF5ElementType, shape: [Int], chunkRows: Int,
                              allocateNow: Bool) throws -> HDF5Dataset {
        precondition(!shape.isEmpty, "datasets of the store have at least one dimension")
        let space = try makeDataspace(shape, max: [nil] + shape.dropFirst().map { Optional($0) }, path)
        let dcpl = try makePropertyList(sf_H5P_DATASET_CREATE(), path)
        var chunk = [hsize_t(Swift.max(1, chunkRows))] + shape.dropFirst().map { hsize_t(Swift.max(1, $0)) }
        try check(H5Pset_chunk(dcpl.id, Int32(chunk.count), &chunk), path, "set chunking for '\(child)'")
        try check(H5Pset_obj_track_times(dcpl.id, false), path, "disable time tracking for '\(child)'")
        if allocateNow {
            try check(H5Pset_alloc_time(dcpl.id, H5D_ALLOC_TIME_EARLY), path, "set allocation time for '\(child)'")
        }
        if type != .string {
            try check(H5Pset_fill_time(dcpl.id, H5D_FILL_TIME_NEVER), path, "set fill time for '\(child)'")
        }
        let fileType = try type.makeFileType(path)
        let dapl = try datasetAccessList(path)
        let id = H5Dcreate2(handle.id, child, fileType.id, space.id, sf_H5P_DEFAULT(), dcpl.id, dapl.id)
        return try HDF5Dataset(file: file, handle: HDF5Handle(try checkID(id, path, "create dataset '\(qualified(child))'"),
                                                              close: H5Dclose),
                               name: qualified(child))
    }

    private func qualified(_ child: String) -> String {
        name == "/" ? "/" + child : name + "/" + child
    }
}

extension HDF5Group: HDF5AttributeOwner {
    var objectID: hid_t { handle.id }
    var objectName: String { name }
}

/// Dataset access with a chunk cache large enough to hold the chunks one batch touches, so
/// that rows written a few at a time reach the disk as whole chunks at the next flush.
func datasetAccessList(_ path: String) throws -> HDF5Handle {
    let dapl = try makePropertyList(sf_H5P_DATASET_ACCESS(), path)
    try check(H5Pset_chunk_cache(dapl.id, 1_021, 32 << 20, 1.0), path, "set the chunk cache")
    return dapl
}
