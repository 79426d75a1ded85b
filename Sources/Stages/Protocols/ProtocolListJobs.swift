import ArgumentParser
import Core
import Datasets
import Foundation
import Pipeline

/// The options of `scaleface protocol clean-templates` (docs/protocols.md, "Building the IJB-C lists").
public struct CleanTemplatesOptions: ParsableArguments, Sendable {
    @Option(help: "IJB-C's protocols/test1 folder (enroll_templates.csv, verif_templates.csv).")
    public var `protocol`: InputFolder
    @Option(help: "The aligned image folder: <SUBJECT_ID>/<FILENAME with '/' as '_'>.")
    public var images: InputFolder
    @Option(help: "Output file (default: cleaned_templates.csv in the protocol folder).")
    public var out: String?

    public init() {}
}

/// Writes `cleaned_templates.csv`.
public struct CleanTemplatesJob {
    public var options: CleanTemplatesOptions

    public init(_ options: CleanTemplatesOptions) { self.options = options }

    @discardableResult
    public func run(log: Log) throws -> CleanedTemplates {
        let dir = options.protocol.path, images = options.images.path
        func file(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
        let cleaned = try cleanTemplates(enroll: file("enroll_templates.csv"), verif: file("verif_templates.csv")) {
            FileManager.default.fileExists(atPath: (images as NSString).appendingPathComponent($0))
        }
        let out = options.out ?? file("cleaned_templates.csv")
        try writeText(cleaned.text, to: out)
        log("wrote \(out): \(cleaned.kept) of \(cleaned.rows) template rows have their image")
        return cleaned
    }
}

extension MatchListPreset: ExpressibleByArgument {}

/// The options of `scaleface protocol matches`.
public struct MatchListOptions: ParsableArguments, Sendable {
    @Option(help: "cleaned_templates.csv (from clean-templates).")
    public var cleaned: InputFile
    @Option(help: "IJB-C's protocols/test1/match.csv.")
    public var matches: InputFile
    @Option(help: "cropped (19000 genuine / 1000000 impostor) or short (5000 / 100000).")
    public var list: MatchListPreset = .cropped
    @Option(help: "Genuine rows to keep (default: the list's).")
    public var genuine: Int?
    @Option(help: "Impostor rows to keep (default: the list's).")
    public var impostor: Int?
    @Option(help: "Output file (default: <list>_matches.csv beside match.csv).")
    public var out: String?

    public init() {}

    public func validate() throws {
        guard (genuine ?? 0) >= 0, (impostor ?? 0) >= 0 else { throw ValidationError("--genuine and --impostor must not be negative") }
    }
}

/// Writes `cropped_matches.csv` or `short_matches.csv`.
public struct MatchListJob {
    public var options: MatchListOptions

    public init(_ options: MatchListOptions) { self.options = options }

    @discardableResult
    public func run(log: Log) throws -> MatchList {
        let counts = options.list.counts
        let list = try buildMatchList(cleaned: options.cleaned.path, matches: options.matches.path,
                                      genuine: options.genuine ?? counts.genuine, impostor: options.impostor ?? counts.impostor)
        let out = options.out ?? ((options.matches.path as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(options.list.fileName)
        try writeText(list.text, to: out)
        log("wrote \(out): \(list.genuine) genuine and \(list.impostor) impostor rows "
            + "(\(list.read) rows read, \(list.skipped) skipped for a template without images)")
        return list
    }
}

/// The options of `scaleface pairs sample` (docs/protocols.md, "Sampling image pairs").
public struct PairSampleOptions: ParsableArguments, Sendable {
    @Option(help: "The aligned image folder: one folder of images per identity.")
    public var images: InputFolder
    @Option(help: "Pairs per list.")
    public var count: Int
    @Option(help: "Share of positive pairs.")
    public var positiveShare = 0.5
    @Option(help: "Split the identities: this share for val_pairs_*, the rest for test_pairs_* (no split if absent).")
    public var valShare: Double?
    @Option(help: "Random seed (SplitMix64).")
    public var seed: UInt64 = 0
    @Option(help: "Output folder.")
    public var out: String

    public init() {}

    public func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must not be negative") }
        guard positiveShare >= 0, positiveShare <= 1 else { throw ValidationError("--positive-share must be in [0, 1]") }
        if let v = valShare, !(v > 0 && v < 1) { throw ValidationError("--val-share must be in (0, 1)") }
    }
}

/// Writes `pairs_<N>_prob_<share>.csv`, or `val_pairs_...`, `test_pairs_...` and the two
/// identity lists for a split. One stream for everything, in the reference's order: the split,
/// val positives, val negatives, test positives, test negatives.
public struct PairSampleJob {
    public var options: PairSampleOptions

    public init(_ options: PairSampleOptions) { self.options = options }

    /// The files written, by name.
    @discardableResult
    public func run(log: Log) throws -> [String: ImagePairSample] {
        let identities = try listIdentityFolders(root: options.images.path)
        var sampler = PairSampler(seed: options.seed)
        try FileManager.default.createDirectory(atPath: options.out, withIntermediateDirectories: true)
        func file(_ name: String) -> String { (options.out as NSString).appendingPathComponent(name) }
        var parts: [(prefix: String, identities: [IdentityFolder])] = [("", identities)]
        if let share = options.valShare {
            let (val, test) = try sampler.split(identities, valShare: share)
            parts = [("val_", val), ("test_", test)]
            try writeText(val.map { $0.name + "\n" }.joined(), to: file("val_identities.txt"))
            try writeText(test.map { $0.name + "\n" }.joined(), to: file("test_identities.txt"))
        }
        var written: [String: ImagePairSample] = [:]
        for part in parts {
            let sample = try sampler.sample(part.identities, count: options.count, positiveShare: options.positiveShare)
            let name = pairListFileName(count: options.count, positiveShare: options.positiveShare, prefix: part.prefix)
            try writeText(sample.text, to: file(name))
            log("wrote \(file(name)): \(sample.positives) positive and \(sample.negatives) negative pairs "
                + "over \(part.identities.count) identities")
            written[name] = sample
        }
        return written
    }
}
