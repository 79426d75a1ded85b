import ArgumentParser
import Stages

struct PairsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairs",
        abstract: "Image pair lists (docs/protocols.md).",
        subcommands: [PairSampleCommand.self]
    )
}

struct PairSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw a seeded left,right,label pair list from an aligned folder, optionally on an identity-disjoint val/test split.",
        discussion: """
        Example:
          scaleface pairs sample --images aligned/big --count 1000000 --positive-share 0.5 \\
              --val-share 0.5 --seed 1 --out lists/
        """
    )

    @OptionGroup var options: PairSampleOptions
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try PairSampleJob(options).run(log: progress.log)
    }
}
