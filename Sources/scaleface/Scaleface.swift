import ArgumentParser
import Stages

@main
struct Scaleface: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaleface",
        abstract: "Evaluate how well face-recognition models know when they are wrong.",
        version: scalefaceVersion,
        subcommands: [
            RunCommand.self,
            SynthCommand.self,
            StoreCommand.self,
            DistributionCommand.self,
            SynthEmbeddingsCommand.self,
            EmbedCommand.self,
            WeightsCommand.self,
        ]
    )
}
