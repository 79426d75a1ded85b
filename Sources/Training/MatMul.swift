import Backbone

/// Row-major matrix products on whole arrays (shapes as for `TrainingScalar.gemm`).
enum MatMul {
    /// `op(A)[m, k] * op(B)[k, n]` into a new `[m, n]` array.
    static func product<T: TrainingScalar>(_ a: [T], transA: Bool = false, _ b: [T], transB: Bool = false,
                                           m: Int, n: Int, k: Int) -> [T] {
        var c = [T](repeating: 0, count: m * n)
        accumulate(a, transA: transA, b, transB: transB, m: m, n: n, k: k, into: &c, beta: 0)
        return c
    }

    /// `C = op(A) op(B) + beta * C`.
    static func accumulate<T: TrainingScalar>(_ a: [T], transA: Bool = false, _ b: [T], transB: Bool = false,
                                              m: Int, n: Int, k: Int, into c: inout [T], beta: T = 1) {
        precondition(a.count == m * k && b.count == k * n && c.count == m * n, "matrix shapes disagree")
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for i in c.indices { c[i] *= beta }
            return
        }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    T.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                           a: ap.baseAddress!, lda: transA ? m : k, b: bp.baseAddress!, ldb: transB ? k : n,
                           beta: beta, c: cp.baseAddress!, ldc: n)
                }
            }
        }
    }
}
