import ArgumentParser
import Core

/// `--quiet`, shared by every command that reports progress.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "No progress on stderr.") var quiet = false

    var log: Log { Log(quiet: quiet) }
}
