import CHDF5
import Foundation

/// Owns one HDF5 identifier and closes it exactly once.
///
/// Debian's HDF5 is the serial, non-thread-safe build: every object of one file must be used
/// from one thread at a time. HDF5's own error stack printing is switched off the first time
/// any object is made, because every failure is reported as a `StoreError` instead.
final class HDF5Handle {
    let id: hid_t
    private let close: (hid_t) -> herr_t

    init(_ id: hid_t, close: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.close = close
    }

    deinit { _ = close(id) }
}

enum HDF5Library {
    /// Runs once per process: silences HDF5's automatic error printing on stderr.
    static let silenced: Void = {
        _ = H5Eset_auto2(sf_H5E_DEFAULT(), nil, nil)
    }()
}

/// Checks an identifier returned by HDF5 (negative means failure).
@inline(__always)
func checkID(_ id: hid_t, _ path: String, _ operation: @autoclosure () -> String) throws -> hid_t {
    if id < 0 { throw StoreError.hdf5(path: path, operation: operation()) }
    return id
}

/// Checks a status returned by HDF5 (negative means failure).
@inline(__always)
func check(_ status: herr_t, _ path: String, _ operation: @autoclosure () -> String) throws {
    if status < 0 { throw StoreError.hdf5(path: path, operation: operation()) }
}

/// A property list made for one call and closed afterwards.
func makePropertyList(_ cls: hid_t, _ path: String) throws -> HDF5Handle {
    HDF5Handle(try checkID(H5Pcreate(cls), path, "create a property list"), close: H5Pclose)
}

/// A simple dataspace with the given extent and, optionally, maximum extent.
func makeDataspace(_ dims: [Int], max: [Int?]? = nil, _ path: String) throws -> HDF5Handle {
    if dims.isEmpty {
        return HDF5Handle(try checkID(H5Screate(H5S_SCALAR), path, "create a scalar dataspace"), close: H5Sclose)
    }
    let d = dims.map { hsize_t($0) }
    let id: hid_t
    if let max {
        let m = max.map { $0.map { hsize_t($0) } ?? sf_H5S_UNLIMITED() }
        id = H5Screate_simple(Int32(d.count), d, m)
    } else {
        id = H5Screate_simple(Int32(d.count), d, nil)
    }
    return HDF5Handle(try checkID(id, path, "create a dataspace of shape \(dims)"), close: H5Sclose)
}

/// Dimensions of a dataspace.
func extent(of space: hid_t, _ path: String) throws -> [Int] {
    let rank = H5Sget_simple_extent_ndims(space)
    if rank < 0 { throw StoreError.hdf5(path: path, operation: "read a dataspace rank") }
    if rank == 0 { return [] }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    try check(H5Sget_simple_extent_dims(space, &dims, nil), path, "read a dataspace extent")
    return dims.map { Int($0) }
}
