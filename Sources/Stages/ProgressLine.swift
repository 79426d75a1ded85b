import Foundation

/// Count, rate and ETA on one stderr line, updated at most twice a second; thread-safe.
public final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let total: Int
    private let quiet: Bool
    private let start = Date()
    private var done: Int
    /// Items already finished before this run (a resumed job): not part of the rate.
    private let alreadyDone: Int
    private var lastPrint = Date.distantPast
    /// Shown after the count (an epoch and a running loss, say).
    private var detail = ""

    public init(label: String, total: Int, quiet: Bool, alreadyDone: Int = 0) {
        self.label = label
        self.total = total
        self.quiet = quiet
        self.alreadyDone = alreadyDone
        self.done = alreadyDone
    }

    public func advance(by n: Int = 1) {
        lock.lock()
        defer { lock.unlock() }
        report(done + n)
    }

    /// Sets the count of finished items (for work that resumes part-way), and optionally
    /// the detail shown after it.
    public func update(_ count: Int, detail: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        if let detail { self.detail = detail }
        report(count)
    }

    private func report(_ count: Int) {
        done = count
        let now = Date()
        if !quiet && (now.timeIntervalSince(lastPrint) >= 0.5 || done == total) {
            lastPrint = now
            print(now)
        }
    }

    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if !quiet { print(Date()); FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func print(_ now: Date) {
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(done - alreadyDone) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let extra = detail.isEmpty ? "" : ", " + detail
        FileHandle.standardError.write(Data(String(format: "\r%@: %d/%d%@, %.1f/s, ETA %.0f s   ", label, done, total, extra, rate, eta).utf8))
    }
}
