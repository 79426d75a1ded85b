import Dispatch

// Parallel loops: the one home for splitting work across cores (docs/architecture.md).

/// Runs `body` over `0..<count` split into at most `threads` contiguous ranges, one per
/// worker; with one part it runs on the calling thread.
@inline(__always)
public func parallelRanges(_ count: Int, threads: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
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

/// Calls `body(i)` for every `i` in `0..<count` on all cores, `chunk` consecutive items per
/// task. Once any call throws, the remaining items are skipped and the first error is
/// rethrown when every worker has stopped.
public func parallelFor(_ count: Int, chunk: Int = 1, _ body: (Int) throws -> Void) throws {
    guard count > 0 else { return }
    let failure = FirstError()
    let chunk = max(1, chunk)
    DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { c in
        for i in (c * chunk)..<min(count, (c + 1) * chunk) where !failure.isSet {
            do { try body(i) } catch { failure.set(error) }
        }
    }
    if let e = failure.error { throw e }
}
