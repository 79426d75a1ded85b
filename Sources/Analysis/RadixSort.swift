import Foundation

/// Maps a Float to a UInt32 whose unsigned order is the Float order (NaN excluded by the
/// callers). -0.0 and +0.0 map to the same key, as they compare equal.
@inline(__always)
func sortableKey(_ f: Float) -> UInt32 {
    let bits = (f + 0).bitPattern  // -0.0 + 0 == +0.0
    return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
}

/// Indices `0..<values.count` in ascending order of `values`, equal values keeping their index
/// order (a stable sort). LSD radix sort, three 11-bit passes: O(N).
/// With `descending`, the order is descending and equal values still keep their index order.
public func stableArgsort(_ values: [Float], descending: Bool = false) -> [Int32] {
    let n = values.count
    let iota = [Int32](unsafeUninitializedCapacity: n) { b, c in
        for i in 0..<n { b[i] = Int32(i) }
        c = n
    }
    return stableSortPayload(values, payload: iota, descending: descending)
}

/// `payload` reordered by a stable sort of `values` (payload[i] travels with values[i]).
/// Carrying the payload through the radix passes replaces a random gather afterwards by the
/// passes' sequential streams.
public func stableSortPayload(_ values: [Float], payload: [Int32], descending: Bool = false) -> [Int32] {
    radixSort(values, payload: payload, descending: descending).payload
}

/// Inverse of `sortableKey`.
@inline(__always)
func floatFromKey(_ k: UInt32) -> Float {
    Float(bitPattern: k & 0x8000_0000 != 0 ? k & 0x7FFF_FFFF : ~k)
}

/// Stable LSD radix sort of `values` (as sortable keys, complemented when `descending`)
/// carrying `payload`: three 11-bit passes, the three digit histograms counted in one
/// read. Returns the sorted keys and payload.
func radixSort(_ values: [Float], payload: [Int32], descending: Bool) -> (keys: [UInt32], payload: [Int32]) {
    let n = values.count
    precondition(payload.count == n)
    if n == 0 { return ([], []) }
    var keys = [UInt32](unsafeUninitializedCapacity: n) { b, c in
        values.withUnsafeBufferPointer { v in
            for i in 0..<n { b[i] = descending ? ~sortableKey(v[i]) : sortableKey(v[i]) }
        }
        c = n
    }
    if n < 256 {
        let order = (0..<n).sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
        return (order.map { keys[$0] }, order.map { payload[$0] })
    }
    var idx = payload
    // histograms of the three digits in one pass
    var counts = [[Int]](repeating: [Int](repeating: 0, count: 2049), count: 3)
    counts.withUnsafeMutableBufferPointer { cs in
        var c0 = [Int](repeating: 0, count: 2049), c1 = c0, c2 = c0
        keys.withUnsafeBufferPointer { k in
            for i in 0..<n {
                let v = k[i]
                c0[Int(v & 0x7FF) + 1] += 1
                c1[Int((v >> 11) & 0x7FF) + 1] += 1
                c2[Int(v >> 22) + 1] += 1
            }
        }
        cs[0] = c0; cs[1] = c1; cs[2] = c2
    }
    var keys2 = [UInt32](repeating: 0, count: n)
    var idx2 = [Int32](repeating: 0, count: n)
    for (pass, shift) in [0, 11, 22].enumerated() {
        var count = counts[pass]
        if count[1...].contains(n) { continue }  // every key has the same digit
        for b in 1...2048 { count[b] += count[b - 1] }
        keys.withUnsafeBufferPointer { k in
            idx.withUnsafeBufferPointer { ix in
                keys2.withUnsafeMutableBufferPointer { k2 in
                    idx2.withUnsafeMutableBufferPointer { i2 in
                        count.withUnsafeMutableBufferPointer { c in
                            for i in 0..<n {
                                let digit = Int((k[i] >> UInt32(shift)) & 0x7FF)
                                let dst = c[digit]
                                c[digit] = dst + 1
                                k2[dst] = k[i]
                                i2[dst] = ix[i]
                            }
                        }
                    }
                }
            }
        }
        swap(&keys, &keys2)
        swap(&idx, &idx2)
    }
    return (keys, idx)
}
