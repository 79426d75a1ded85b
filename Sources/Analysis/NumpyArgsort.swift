import Foundation

/// numpy's `argsort(kind='quicksort')` for float arrays, index for index (docs/metrics.md,
/// "Tie order"): the unstable introsort of numpy's `npysort/quicksort.cpp` without SIMD
/// dispatch (the NumPy < 1.24 era of the reference): median-of-three quicksort down to
/// partitions of 16, insertion sort below, heapsort once the depth `2 floor(log2 n)` is spent.
/// Equal values come out in the order this algorithm leaves them, not in index order.
/// NaNs sort last (numpy's `a < b || (b != b && a == a)`).
public func numpyArgsort<T: BinaryFloatingPoint>(_ values: [T]) -> [Int32] {
    let n = values.count
    var idx = [Int32](unsafeUninitializedCapacity: n) { b, c in
        for i in 0..<n { b[i] = Int32(i) }
        c = n
    }
    guard n > 1 else { return idx }
    values.withUnsafeBufferPointer { v in
        idx.withUnsafeMutableBufferPointer { a in
            numpyIntrosort(v, a)
        }
    }
    return idx
}

@inline(__always)
private func npLess<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> Bool {
    a < b || (b != b && a == a)
}

private func numpyIntrosort<T: BinaryFloatingPoint>(_ v: UnsafeBufferPointer<T>, _ a: UnsafeMutableBufferPointer<Int32>) {
    let small = 15
    var stack: [(lo: Int, hi: Int, depth: Int)] = []
    var lo = 0, hi = a.count - 1
    var depth = 2 * (Int.bitWidth - 1 - a.count.leadingZeroBitCount)  // 2 floor(log2 n)
    @inline(__always) func value(_ p: Int) -> T { v[Int(a[p])] }
    while true {
        if depth < 0 {
            numpyHeapsort(v, a, lo: lo, count: hi - lo + 1)
        } else {
            while hi - lo > small {
                let mid = lo + ((hi - lo) >> 1)
                if npLess(value(mid), value(lo)) { a.swapAt(mid, lo) }
                if npLess(value(hi), value(mid)) { a.swapAt(hi, mid) }
                if npLess(value(mid), value(lo)) { a.swapAt(mid, lo) }
                let pivot = value(mid)
                var i = lo, j = hi - 1
                a.swapAt(mid, j)
                while true {
                    repeat { i += 1 } while npLess(value(i), pivot)
                    repeat { j -= 1 } while npLess(pivot, value(j))
                    if i >= j { break }
                    a.swapAt(i, j)
                }
                a.swapAt(i, hi - 1)
                depth -= 1
                if i - lo < hi - i {
                    stack.append((i + 1, hi, depth))
                    hi = i - 1
                } else {
                    stack.append((lo, i - 1, depth))
                    lo = i + 1
                }
            }
            // insertion sort of a[lo...hi]
            var p = lo + 1
            while p <= hi {
                let t = a[p]
                let vt = v[Int(t)]
                var q = p
                while q > lo && npLess(vt, value(q - 1)) {
                    a[q] = a[q - 1]
                    q -= 1
                }
                a[q] = t
                p += 1
            }
        }
        guard let top = stack.popLast() else { return }
        (lo, hi, depth) = top
    }
}

/// numpy's `aheapsort_` of the `count` entries starting at `lo` (1-based heap view).
private func numpyHeapsort<T: BinaryFloatingPoint>(_ v: UnsafeBufferPointer<T>, _ idx: UnsafeMutableBufferPointer<Int32>,
                                                    lo: Int, count: Int) {
    let base = lo - 1  // a[k] = idx[base + k], k in 1...count
    @inline(__always) func siftDown(_ tmp: Int32, from start: Int, size m: Int) {
        var i = start, j = 2 * start
        while j <= m {
            if j < m && npLess(v[Int(idx[base + j])], v[Int(idx[base + j + 1])]) { j += 1 }
            if npLess(v[Int(tmp)], v[Int(idx[base + j])]) {
                idx[base + i] = idx[base + j]
                i = j
                j += j
            } else {
                break
            }
        }
        idx[base + i] = tmp
    }
    var m = count
    var l = m >> 1
    while l > 0 {
        siftDown(idx[base + l], from: l, size: m)
        l -= 1
    }
    while m > 1 {
        let tmp = idx[base + m]
        idx[base + m] = idx[base + 1]
        m -= 1
        siftDown(tmp, from: 1, size: m)
    }
}

/// The order pairs are sorted by their uncertainty before the most uncertain are rejected
/// (docs/metrics.md, "Tie order"). Only ties are affected.
/// - `reference`: numpy's default `argsort` (the unstable introsort), as the reference does.
/// - `stable`: equal uncertainties keep their pair-table order (scaleface's fix; the order of
///   releases before the reference order was reproduced).
public enum TieOrder: String, CaseIterable, Sendable {
    case reference, stable
}
