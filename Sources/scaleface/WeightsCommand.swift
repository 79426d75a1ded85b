import ArgumentParser
import Foundation
import Stages

struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Convert a PyTorch checkpoint to scaleface's HDF5 weights layout, or make random iResNet weights.",
        subcommands: [WeightsConvertCommand.self, WeightsInitCommand.self],
        defaultSubcommand: WeightsConvertCommand.self
    )
}

struct WeightsConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a PyTorch checkpoint to scaleface's HDF5 weights layout (docs/backbone.md).",
        discussion: """
        Every tensor of the checkpoint is written as float32 under /tensors/<state-dict name>; \
        the .h5 file is accepted by embed --checkpoint like the .pth it came from. `convert` is \
        the default, so `scaleface weights --checkpoint ...` works too.
        Example:
          scaleface weights convert --checkpoint backbone.pth --out backbone.h5
        """
    )

    @Option(help: "PyTorch .pth checkpoint.") var checkpoint: String
    @Option(help: "Weights file to write (.h5).") var out: String

    func run() throws {
        let n = try WeightsConvertJob.run(checkpoint: checkpoint, out: out)
        print("wrote \(n) tensors to \(out)")
    }
}

struct WeightsInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write deterministic random iResNet weights (a demonstration trunk; docs/training.md).",
        discussion: """
        He-normal convolutions, identity batch norms, residual branches scaled by \
        1/sqrt(blocks); the same seed gives the same file everywhere. The trunk is frozen and \
        only its embedding layer is trained (train-head --kind embedding), as `make demo` does.
        Example:
          scaleface weights init --arch iresnet18 --widths 32,64,128,256 --seed 1 --out trunk.h5
        """
    )

    @OptionGroup var options: WeightsInitOptions
    @Option(help: "Weights file to write (.h5 or .pth).") var out: String

    func run() throws {
        let n = try WeightsInitJob(options).write(to: out)
        print("wrote \(n) tensors (\(options.arch), widths \(options.widths), input \(options.inputSize)) to \(out)")
    }
}
