/// The float32 products of the pair classifiers, in the order of operations of PyTorch's CPU
/// kernels (docs/strategies.md, "Pair classifiers", Numerics), so that the logits round as
/// PyTorch's do:
/// - `dot8`: an AVX2 dot product, eight lanes `acc[l] = fma(a[j], b[j], acc[l])` over
///   `j ≡ l (mod 8)`, then the lanes summed as a tree (`l + 4`, then `l + 2`, then `l + 1`).
/// - `rowTimesMatrix`: `y = x · M` for `M` `[n, m]` row-major as MKL's AVX2 sgemm forms it:
///   the `n` terms of each output are fused multiply-adds in order, in blocks of
///   `sgemmBlock` rows of `M`, each block started from zero and then added to the output.
enum PairKernels {
    /// Rows of the right-hand matrix per K block of MKL's AVX2 sgemm (measured bit-identical to
    /// `torch.mm` on the parity fixture, tools/parity/classifier_fixtures.py).
    static let sgemmBlock = 192

    /// `Σ a[j] b[j]` over `n` floats, eight lanes then a tree.
    static func dot8(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= n {
            acc = acc.addingProduct(UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self),
                                    UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self))
            j += 8
        }
        var l = 0
        while j < n { acc[l] = acc[l].addingProduct(a[j], b[j]); j += 1; l += 1 }
        let four = acc.lowHalf + acc.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    /// `y[t] = x[t] · M` for `rows` vectors `x[t]` of `n` floats (stride `n`), `M` `[n, m]`
    /// row-major, into `y` (stride `m`).
    static func rowTimesMatrix(_ x: UnsafePointer<Float>, rows: Int, _ matrix: UnsafePointer<Float>, n: Int, m: Int,
                               into y: UnsafeMutablePointer<Float>) {
        y.update(repeating: 0, count: rows * m)
        var start = 0
        while start < n {
            let end = min(n, start + sgemmBlock)
            var c = 0
            while c + 8 <= m {
                // four vectors at a time, so each loaded slice of M serves four accumulators
                var t = 0
                while t < rows {
                    let r0 = x + t * n, r1 = x + min(t + 1, rows - 1) * n
                    let r2 = x + min(t + 2, rows - 1) * n, r3 = x + min(t + 3, rows - 1) * n
                    var a0 = SIMD8<Float>(repeating: 0), a1 = a0, a2 = a0, a3 = a0
                    for i in start..<end {
                        let w = UnsafeRawPointer(matrix + i * m + c).loadUnaligned(as: SIMD8<Float>.self)
                        a0 = a0.addingProduct(SIMD8(repeating: r0[i]), w)
                        a1 = a1.addingProduct(SIMD8(repeating: r1[i]), w)
                        a2 = a2.addingProduct(SIMD8(repeating: r2[i]), w)
                        a3 = a3.addingProduct(SIMD8(repeating: r3[i]), w)
                    }
                    for (u, acc) in [a0, a1, a2, a3].enumerated() where t + u < rows {
                        let out = UnsafeMutableRawPointer(y + (t + u) * m + c)
                        out.storeBytes(of: out.loadUnaligned(as: SIMD8<Float>.self) + acc, as: SIMD8<Float>.self)
                    }
                    t += 4
                }
                c += 8
            }
            while c < m {
                for t in 0..<rows {
                    var acc: Float = 0
                    for i in start..<end { acc = acc.addingProduct(x[t * n + i], matrix[i * m + c]) }
                    y[t * m + c] += acc
                }
                c += 1
            }
            start = end
        }
    }
}
