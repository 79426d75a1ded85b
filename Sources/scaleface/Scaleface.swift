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
            AlignCommand.self,
            StoreCommand.self,
            EmbedCommand.self,
            HeadsCommand.self,
            TrainHeadCommand.self,
            WeightsCommand.self,
            DistributionCommand.self,
            SynthEmbeddingsCommand.self,
            RejectCommand.self,
            FusionCommand.self,
            ProtocolCommand.self, PairsCommand.self,
        ]
    )
}
