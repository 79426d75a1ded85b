import COpenBLAS
import Dispatch

/// Thread budget shared by OpenBLAS and our own loops. Both never run at the same time (our
/// loops run between sgemm calls), so `threads` workers in total are busy at any moment.
public enum Threads {
    /// All online cores.
    public static var available: Int { max(1, Int(openblas_get_num_procs())) }

    /// Sets the number of OpenBLAS threads; call once before inference.
    public static func configure(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }
}

/// Runs `body` over `0..<count` split into at most `threads` contiguous ranges.
@inline(__always)
func parallelRanges(_ count: Int, threads: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let parts = max(1, min(threads, count / max(1, minChunk)))
    if parts == 1 {
        body(0..<count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: parts) { p in
        let lo = count * p / parts, hi = count * (p + 1) / parts
        if lo < hi { body(lo..<hi) }
    }
}
