import Dispatch
import Foundation

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

/// `body(i)` for every `i` in `0..<count` on all cores, results in index order. When calls
/// throw, the error of the lowest index is rethrown (so the message does not depend on
/// scheduling) once every call has finished.
public func parallelMap<T>(_ count: Int, _ body: (Int) throws -> T) throws -> [T] {
    guard count > 0 else { return [] }
    let slots = UnsafeMutableBufferPointer<Result<T, Error>?>.allocate(capacity: count)
    slots.initialize(repeating: nil)
    defer {
        _ = slots.deinitialize()
        slots.deallocate()
    }
    DispatchQueue.concurrentPerform(iterations: count) { i in
        slots[i] = Result { try body(i) }
    }
    return try slots.map { try $0!.get() }
}

/// Runs `body(range)` over `0..<count` split into up to 8 contiguous chunks per core (at
/// least `minChunk` items each), so uneven work balances across cores.
public func parallelChunks(_ count: Int, minChunk: Int = 4096, _ body: (Range<Int>) -> Void) {
    let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let chunks = max(1, min(workers * 8, (count + minChunk - 1) / minChunk))
    if chunks == 1 { body(0..<count); return }
    let size = (count + chunks - 1) / chunks
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let lo = c * size, hi = min(count, lo + size)
        if lo < hi { body(lo..<hi) }
    }
}
