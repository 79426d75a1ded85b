import Core
import Foundation

// Vector kernels over contiguous Float rows. Accumulation is in Float with eight SIMD lanes
// (then summed lane by lane), as float32 libraries do; the order differs from numpy's
// pairwise summation only at float32 rounding level.

@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 16 <= n {
        acc0 = acc0.addingProduct(ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self),
                                  rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
        acc1 = acc1.addingProduct(ra.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self),
                                  rb.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self))
        i += 16
    }
    var s = (acc0 + acc1).sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

@inline(__always)
func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        let d = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            - rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        acc = acc.addingProduct(d, d)
        i += 8
    }
    var s = acc.sum()
    while i < n { let d = a[i] - b[i]; s += d * d; i += 1 }
    return s
}

/// Rows divided by `1e-8 + ||row||` (the reference's normalisation); the norm is accumulated
/// in Double.
public func normalizedRows(_ m: RowMatrix) -> RowMatrix {
    var out = m.values
    let d = m.columns
    out.withUnsafeMutableBufferPointer { buf in
        for r in 0..<m.rows {
            var ss = 0.0
            for j in 0..<d { let v = Double(buf[r * d + j]); ss += v * v }
            let denom = 1e-8 + ss.squareRoot()
            for j in 0..<d { buf[r * d + j] = Float(Double(buf[r * d + j]) / denom) }
        }
    }
    return RowMatrix(uncheckedValues: out, rows: m.rows, columns: d)
}

/// Fills a new array of `count` Floats in parallel; `body(range, base)` writes `base[i]` for
/// `i` in `range`.
func parallelFill(_ count: Int, _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    if count == 0 { return [] }
    return [Float](unsafeUninitializedCapacity: count) { buf, initialized in
        let base = buf.baseAddress!
        parallelChunks(count) { range in body(range, base) }
        initialized = count
    }
}
