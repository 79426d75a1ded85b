import CHDF5
import Foundation

/// Something attributes hang on: a group or a dataset.
protocol HDF5AttributeOwner {
    var objectID: hid_t { get }
    var objectName: String { get }
    var path: String { get }
}

extension HDF5AttributeOwner {
    public func hasAttribute(_ key: String) -> Bool {
        H5Aexists(objectID, key) > 0
    }

    public func attributeNames() throws -> [String] {
        var info = H5O_info_t()
        try check(H5Oget_info2(objectID, &info, UInt32(H5O_INFO_NUM_ATTRS)), path, "list attributes of '\(objectName)'")
        var names: [String] = []
        for i in 0..<info.num_attrs {
            let n = H5Aget_name_by_idx(objectID, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, sf_H5P_DEFAULT())
            guard n >= 0 else { throw StoreError.hdf5(path: path, operation: "read an attribute name of '\(objectName)'") }
            var buffer = [CChar](repeating: 0, count: Int(n) + 1)
            _ = H5Aget_name_by_idx(objectID, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(n) + 1, sf_H5P_DEFAULT())
            names.append(String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    private func openAttribute(_ key: String) throws -> (attribute: HDF5Handle, type: HDF5Handle)? {
        guard hasAttribute(key) else { return nil }
        let a = HDF5Handle(try checkID(H5Aopen(objectID, key, sf_H5P_DEFAULT()), path, "open attribute '\(key)'"),
                           close: H5Aclose)
        let t = HDF5Handle(try checkID(H5Aget_type(a.id), path, "read the type of attribute '\(key)'"), close: H5Tclose)
        return (a, t)
    }

    /// A string attribute (variable- or fixed-length); nil when absent. A non-string value is
    /// an error naming the key.
    public func stringAttribute(_ key: String) throws -> String? {
        guard let (a, t) = try openAttribute(key) else { return nil }
        guard H5Tget_class(t.id) == H5T_STRING else {
            throw StoreError.badFormat(path: path, message: "attribute '\(key)' of '\(objectName)' is not a string")
        }
        if H5Tis_variable_str(t.id) > 0 {
            let memType = try HDF5ElementType.string.makeFileType(path)
            var pointer: UnsafeMutablePointer<CChar>? = nil
            try check(H5Aread(a.id, memType.id, &pointer), path, "read attribute '\(key)'")
            defer { if let pointer { H5free_memory(pointer) } }
            return pointer.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(t.id)
        var bytes = [UInt8](repeating: 0, count: size + 1)
        try check(H5Aread(a.id, t.id, &bytes), path, "read attribute '\(key)'")
        let end = bytes.firstIndex(of: 0) ?? size
        return String(decoding: bytes[0..<end], as: UTF8.self)
    }

    /// An integer attribute; nil when absent.
    public func intAttribute(_ key: String) throws -> Int64? {
        guard let (a, t) = try openAttribute(key) else { return nil }
        guard H5Tget_class(t.id) == H5T_INTEGER else {
            throw StoreError.badFormat(path: path, message: "attribute '\(key)' of '\(objectName)' is not an integer")
        }
        var value: Int64 = 0
        try check(H5Aread(a.id, sf_H5T_NATIVE_INT64(), &value), path, "read attribute '\(key)'")
        return value
    }

    public func setAttribute(_ key: String, string value: String) throws {
        if hasAttribute(key) { try check(H5Adelete(objectID, key), path, "replace attribute '\(key)'") }
        let type = try HDF5ElementType.string.makeFileType(path)
        let space = try makeDataspace([], path)
        let a = HDF5Handle(try checkID(H5Acreate2(objectID, key, type.id, space.id, sf_H5P_DEFAULT(), sf_H5P_DEFAULT()),
                                       path, "create attribute '\(key)'"), close: H5Aclose)
        var pointer: UnsafeMutablePointer<CChar>? = strdup(value)
        defer { free(pointer) }
        try check(H5Awrite(a.id, type.id, &pointer), path, "write attribute '\(key)'")
    }

    /// Writes an int64 attribute. An existing int64 attribute is overwritten in place, which
    /// changes no file layout: the store's commit counter relies on that.
    public func setAttribute(_ key: String, int value: Int64) throws {
        if let (a, t) = try openAttribute(key), H5Tget_class(t.id) == H5T_INTEGER, H5Tget_size(t.id) == 8 {
            var v = value
            try check(H5Awrite(a.id, sf_H5T_NATIVE_INT64(), &v), path, "write attribute '\(key)'")
            return
        }
        if hasAttribute(key) { try check(H5Adelete(objectID, key), path, "replace attribute '\(key)'") }
        let space = try makeDataspace([], path)
        let a = HDF5Handle(try checkID(H5Acreate2(objectID, key, sf_H5T_STD_I64LE(), space.id, sf_H5P_DEFAULT(),
                                                  sf_H5P_DEFAULT()), path, "create attribute '\(key)'"), close: H5Aclose)
        var v = value
        try check(H5Awrite(a.id, sf_H5T_NATIVE_INT64(), &v), path, "write attribute '\(key)'")
    }
}
