import ArgumentParser
import Stages

struct ProtocolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol",
        abstract: "Build the IJB-C template lists the reference evaluates (docs/protocols.md).",
        subcommands: [CleanTemplatesCommand.self, MatchListCommand.self]
    )
}

struct CleanTemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean-templates",
        abstract: "cleaned_templates.csv: the enroll and verif template rows whose aligned image exists.",
        discussion: """
        Example:
          scaleface protocol clean-templates --protocol IJB-C/protocols/test1 --images aligned/big
        """
    )

    @OptionGroup var options: CleanTemplatesOptions
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try CleanTemplatesJob(options).run(log: progress.log)
    }
}

struct MatchListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matches",
        abstract: "cropped_matches.csv / short_matches.csv: the first genuine and impostor rows of match.csv.",
        discussion: """
        Example:
          scaleface protocol matches --cleaned test1/cleaned_templates.csv --matches test1/match.csv --list cropped
        """
    )

    @OptionGroup var options: MatchListOptions
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try MatchListJob(options).run(log: progress.log)
    }
}
