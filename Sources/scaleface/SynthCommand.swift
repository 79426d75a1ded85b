import ArgumentParser
import Foundation
import Stages

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a synthetic face dataset with landmarks, graded degradations and evaluation protocols.",
        discussion: """
        Writes DIR/images/<subject>/<subject>_<nnnn>.png (raw, unaligned), landmarks.txt, \
        severity.csv, paths.txt, labels.txt, labels.npy, splits/{train,test}.txt, pairs.csv, \
        pairs.txt (LFW layout) and protocol/{reference,ijbc,insightface}/ (IJB-C layouts). \
        Paths in every file are relative to DIR/images. See docs/synthetic.md.
        Example:
          scaleface synth --out data/synth --identities 200 --images-per-identity 10 --seed 7
        """
    )

    @Option(help: "Output directory (must not exist or be empty).") var out: String
    @Option(help: "Number of identities (at least 2).") var identities: Int
    @Option(name: .customLong("images-per-identity"), help: "Pictures per identity (at least 2).") var imagesPerIdentity: Int
    @Option(help: "Random seed; the same seed gives the same bytes.") var seed: UInt64 = 1
    @Option(help: "Aligned crop side; the face spans about this many raw pixels.") var size = 112
    @Option(name: .customLong("raw-size"), help: "Side of the raw pictures.") var rawSize = 160
    @Option(name: .customLong("clean-fraction"), help: "Share of pictures without degradation.") var cleanFraction = 0.2
    @Option(name: .customLong("test-fraction"), help: "Share of identities in the test split.") var testFraction = 0.3
    @Option(name: .customLong("impostors-per-genuine"), help: "Impostor pairs per genuine pair in pairs.csv.") var impostorsPerGenuine = 4
    @Flag(help: "Also write aligned crops under DIR/aligned/ (ArcFace template, --size).") var aligned = false
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        var faces = SyntheticFaces(identities: identities, imagesPerIdentity: imagesPerIdentity, seed: seed,
                                   size: size, rawSize: rawSize)
        faces.cleanFraction = cleanFraction
        faces.testFraction = testFraction
        faces.impostorsPerGenuine = impostorsPerGenuine
        faces.writeAligned = aligned
        do {
            try faces.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        let start = Date()
        let progress = ProgressLine(label: "synth", total: identities * imagesPerIdentity, quiet: quiet)
        let summary: SyntheticFacesSummary
        do {
            summary = try faces.write(to: out, progress: { done, _ in progress.update(done) })
            progress.finish()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        for line in summary.lines { print(line) }
        print(String(format: "wrote %@ in %.1f s", out, Date().timeIntervalSince(start)))
    }
}
