import Foundation

/// `kind: init-weights`: deterministic random iResNet weights (`scaleface weights init`), the
/// frozen trunk of the demonstration model. Artifact: weights.h5.
public enum InitWeightsKind: StageKind {
    public static let kind = "init-weights"
    public static let version = 1
    public static let summary = "Random iResNet weights for a seed: a frozen demonstration trunk."
    public static let inputs: [InputSpec] = []
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("arch", .string, default: .string("iresnet18"), help: "iresnet18/34/50/100"),
        ParameterSpec("widths", .string, default: .string("64,128,256,512"), help: "channels of the four stages"),
        ParameterSpec("input_size", .int, default: .int(112), help: "crop side"),
        ParameterSpec("embedding_size", .int, default: .int(512), help: "embedding width"),
        ParameterSpec("seed", .int, default: .int(1), help: "random seed"),
    ]

    public static func run(_ c: StageContext) throws {
        let config = try WeightsInitJob.config(arch: c.string("arch"), widths: c.string("widths"),
                                               inputSize: c.int("input_size"), embeddingSize: c.int("embedding_size"))
        let n = try WeightsInitJob.write(config: config, seed: UInt64(c.int("seed")), to: c.output("weights.h5"))
        c.log("\(n) tensors, widths \(config.widths)")
    }
}
