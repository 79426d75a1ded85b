import Foundation

// Progress and notes on stderr: the one home for both (docs/architecture.md). `Log` prints
// notes with the elapsed time; `ProgressLine` prints a count with rate and ETA. Both are
// silent when quiet.

/// Whether stderr is a terminal: progress then redraws one line with carriage returns;
/// otherwise (a log file, a cluster job) it prints a plain line every `plainInterval` seconds.
let stderrIsTerminal = isatty(2) != 0

func writeStderr(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

/// Notes on stderr, each with the seconds since the log was made: `[  12.3s] message`.
public struct Log: Sendable {
    public var quiet: Bool
    /// Put before every message (a stage's name, say).
    public var prefix: String
    private let start = Date()

    public init(quiet: Bool, prefix: String = "") {
        self.quiet = quiet
        self.prefix = prefix
    }

    public func callAsFunction(_ message: String) {
        guard !quiet else { return }
        let t = String(format: "%6.1fs", Date().timeIntervalSince(start))
        writeStderr("[\(t)] \(prefix)\(message)\n")
    }

    /// A message without the time (summaries, plans).
    public func plain(_ message: String) {
        if !quiet { writeStderr(prefix + message + "\n") }
    }
}

/// Count, rate and ETA on stderr, updated at most twice a second on a terminal and every
/// `plainInterval` seconds (one line each) otherwise; thread-safe.
public final class ProgressLine: @unchecked Sendable {
    /// Seconds between lines when stderr is not a terminal.
    public static let plainInterval = 30.0
    private let lock = NSLock()
    private var label: String
    private var total: Int
    private let quiet: Bool
    private var start = Date()
    private var done: Int
    /// Items already finished before this run (a resumed job): not part of the rate.
    private var alreadyDone: Int
    private var lastPrint = Date.distantPast
    /// Shown after the count (an epoch and a running loss, say).
    private var detail = ""
    /// The count the last printed line showed (-1: nothing printed on this line yet).
    private var printed = -1

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

    /// Ends the current line and starts counting a new phase (training: centres, then the
    /// head) on a fresh line.
    public func restart(label: String, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        endLine()
        self.label = label
        self.total = total
        start = Date()
        done = 0
        alreadyDone = 0
        detail = ""
        lastPrint = .distantPast
    }

    private func report(_ count: Int) {
        done = count
        let now = Date()
        let interval = stderrIsTerminal ? 0.5 : Self.plainInterval
        if !quiet && (now.timeIntervalSince(lastPrint) >= interval || done == total) {
            lastPrint = now
            print(now)
        }
    }

    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        endLine()
    }

    private func endLine() {
        guard !quiet else { return }
        if printed != done { print(Date()) }
        if stderrIsTerminal { writeStderr("\n") }
        printed = -1
    }

    private func print(_ now: Date) {
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(done - alreadyDone) / max(elapsed, 1e-6)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let extra = detail.isEmpty ? "" : ", " + detail
        // A rate over the first fraction of a second means nothing yet.
        let speed = elapsed < 0.5 && done < total ? "" : String(format: ", %.1f/s, ETA %.0f s", rate, eta)
        let text = String(format: "%@: %d/%d%@", label, done, total, extra) + speed
        writeStderr(stderrIsTerminal ? "\r" + text + "   " : text + "\n")
        printed = done
    }
}
