import CHDF5

/// Element types the store reads and writes. `float16` is IEEE half precision, built the way
/// h5py and numpy describe it, since HDF5 1.10 has no predefined half type.
public enum HDF5ElementType: Equatable, Sendable {
    case float16, float32, float64, int64, int32, int16, int8, uint8, uint16, uint32, uint64
    case string

    /// The file type used when writing (little-endian, as every machine we target).
    func makeFileType(_ path: String) throws -> HDF5Handle {
        switch self {
        case .float16:
            let t = HDF5Handle(try checkID(H5Tcopy(sf_H5T_IEEE_F32LE()), path, "copy a float type"), close: H5Tclose)
            // Sign bit 15, exponent bits 10..14 (bias 15), mantissa bits 0..9: numpy's '<f2'.
            try check(H5Tset_fields(t.id, 15, 10, 5, 0, 10), path, "describe a half-precision type")
            try check(H5Tset_size(t.id, 2), path, "size a half-precision type")
            try check(H5Tset_ebias(t.id, 15), path, "bias a half-precision type")
            return t
        case .string:
            let t = HDF5Handle(try checkID(H5Tcopy(sf_H5T_C_S1()), path, "copy the string type"), close: H5Tclose)
            try check(H5Tset_size(t.id, sf_H5T_VARIABLE()), path, "make a variable-length string type")
            try check(H5Tset_cset(t.id, H5T_CSET_UTF8), path, "mark a string type UTF-8")
            return t
        default:
            return HDF5Handle(try checkID(H5Tcopy(nativeID), "", "copy a type"), close: H5Tclose)
        }
    }

    /// The in-memory type (conversion target on read, source on write).
    var nativeID: hid_t {
        switch self {
        case .float16: return sf_H5T_NATIVE_UINT16()  // not used: half values go through makeFileType
        case .float32: return sf_H5T_NATIVE_FLOAT()
        case .float64: return sf_H5T_NATIVE_DOUBLE()
        case .int64: return sf_H5T_NATIVE_INT64()
        case .int32: return sf_H5T_NATIVE_INT32()
        case .int16: return sf_H5T_NATIVE_SHORT()
        case .int8: return sf_H5T_NATIVE_SCHAR()
        case .uint8: return sf_H5T_NATIVE_UINT8()
        case .uint16: return sf_H5T_NATIVE_UINT16()
        case .uint32: return sf_H5T_NATIVE_UINT()
        case .uint64: return sf_H5T_NATIVE_ULLONG()
        case .string: return sf_H5T_C_S1()
        }
    }

    /// Classifies a file type; nil for types the store does not use (compound, enum, ...).
    static func classify(_ type: hid_t) -> HDF5ElementType? {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            switch size {
            case 2: return .float16
            case 4: return .float32
            case 8: return .float64
            default: return nil
            }
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch size {
            case 1: return signed ? .int8 : .uint8
            case 2: return signed ? .int16 : .uint16
            case 4: return signed ? .int32 : .uint32
            case 8: return signed ? .int64 : .uint64
            default: return nil
            }
        case H5T_STRING: return .string
        default: return nil
        }
    }

    var isFloat: Bool { self == .float16 || self == .float32 || self == .float64 }
    var isInteger: Bool { !isFloat && self != .string }
}
