import ArgumentParser
import Core
import Datasets
import Foundation

/// The options of `scaleface synth` and of `kind: synth` (docs/synthetic.md).
public struct SynthOptions: ParsableArguments, Sendable {
    @Option(help: "Number of identities (at least 2).")
    public var identities: Int
    @Option(help: "Pictures per identity (at least 2).")
    public var imagesPerIdentity: Int
    @Option(help: "Random seed; the same seed gives the same bytes.")
    public var seed: UInt64 = 1
    @Option(help: "Aligned crop side; the face spans about this many raw pixels.")
    public var size = 112
    @Option(help: "Side of the raw pictures.")
    public var rawSize = 160
    @Option(help: "Share of pictures without degradation.")
    public var cleanFraction = 0.2
    @Option(help: "Share of identities in the test split.")
    public var testFraction = 0.3
    @Option(help: "Impostor pairs per genuine pair in pairs.csv.")
    public var impostorsPerGenuine = 4
    @Flag(help: "Also write aligned crops under aligned/ (ArcFace template, at the crop side).")
    public var aligned = false

    public init() {}

    /// The generator these options describe.
    public var faces: SyntheticFaces {
        var f = SyntheticFaces(identities: identities, imagesPerIdentity: imagesPerIdentity, seed: seed,
                               size: size, rawSize: rawSize)
        f.cleanFraction = cleanFraction
        f.testFraction = testFraction
        f.impostorsPerGenuine = impostorsPerGenuine
        f.writeAligned = aligned
        return f
    }

    public func validate() throws {
        do { try faces.validate() } catch { throw ValidationError("\(error)") }
    }
}

/// Writes a synthetic face dataset with progress (`scaleface synth`, `kind: synth`).
public struct SynthJob {
    public var options: SynthOptions

    public init(_ options: SynthOptions) { self.options = options }

    @discardableResult
    public func run(out: String, quiet: Bool) throws -> SyntheticFacesSummary {
        let faces = options.faces
        let progress = ProgressLine(label: "synth", total: faces.identities * faces.imagesPerIdentity, quiet: quiet)
        let summary = try faces.write(to: out, progress: { done, _ in progress.update(done) })
        progress.finish()
        return summary
    }
}

/// The options of `scaleface synth-embeddings` and of `kind: synth-embeddings`.
public struct SynthEmbeddingsOptions: ParsableArguments, Sendable {
    @Option(help: "Number of identities.")
    public var identities = 200
    @Option(help: "Images per identity.")
    public var imagesPerIdentity = 6
    @Option(help: "Embedding dimension.")
    public var dimension = 512
    @Option(help: "Random seed.")
    public var seed: UInt64 = 1

    public init() {}

    public func validate() throws {
        guard identities >= 2, imagesPerIdentity >= 2, dimension >= 1 else {
            throw ValidationError("need at least 2 identities, 2 images per identity and dimension 1")
        }
    }

    public var generator: SyntheticEmbeddings {
        SyntheticEmbeddings(identities: identities, imagesPerIdentity: imagesPerIdentity, dimension: dimension, seed: seed)
    }
}
