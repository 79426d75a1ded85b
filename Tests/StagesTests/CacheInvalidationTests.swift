import Foundation
import XCTest
@testable import Stages
import Core
@testable import Pipeline

/// What the cache key covers besides parameters (docs/pipeline.md, "Caching"): changing a
/// file or folder a stage names outside its inputs, or bumping a kind's version, makes
/// exactly that stage and the stages downstream of it stale, `--dry-run` (the CLI and
/// `Runner.plan()`) names the changed input, and a rerun afterwards does no work.
final class CacheInvalidationTests: XCTestCase {
    private var dir: URL!
    private let fm = FileManager.default

    override func setUpWithError() throws {
        dir = try TestSupport.scratchDirectory(self)
    }

    // MARK: fixtures

    private func cli(_ arguments: [String]) throws {
        let r = try TestSupport.scaleface(arguments)
        XCTAssertEqual(r.status, 0, "scaleface \(arguments.joined(separator: " ")): \(r.stderr)")
    }

    private func write(_ text: String, _ name: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Synthetic embeddings under `data/` (and another draw under `alt/`), imported from files
    /// beside the pipeline: `side` depends on none of them, `reject` and `report` read
    /// `data/pairs.csv`, `reject_b` a copy of it.
    private func embeddingsPipeline() throws -> String {
        for (folder, seed) in [("data", 1), ("alt", 2)] {
            try cli(["synth-embeddings", "--out", dir.appendingPathComponent(folder).path,
                     "--identities", "8", "--images-per-identity", "3", "--dimension", "8", "--seed", "\(seed)"])
        }
        try fm.copyItem(at: dir.appendingPathComponent("data/pairs.csv"), to: dir.appendingPathComponent("data/pairs_b.csv"))
        return try write("""
        name: embeddings
        outputs: out
        cache: out/cache
        stages:
          side:
            kind: synth-embeddings
            params: {identities: 3, images_per_identity: 2, dimension: 4, seed: 5}
          store:
            kind: import
            params:
              paths: data/paths.txt
              embeddings: data/embeddings.npy
              uncertainty: ["scale=data/confidence.npy:confidence"]
          reject:
            kind: reject
            inputs: {store: store}
            params: {pairs: data/pairs.csv, strategy: scale, metrics: [cosine_mean], fars: [0.1], portions: "0:0.5:3"}
          reject_b:
            kind: reject
            inputs: {store: store}
            params: {pairs: data/pairs_b.csv, strategy: scale, metrics: [cosine_mean], fars: [0.1], portions: "0:0.5:3"}
          report:
            kind: report
            inputs: {reject: reject}
        """, "embeddings.yaml")
    }

    /// Generated faces under `faces/`, aligned from the image folder and landmark file beside
    /// the pipeline, embedded by a tiny generated trunk, and evaluated on the faces' pair list
    /// and template protocol.
    private func imagesPipeline() throws -> String {
        try cli(["synth", "--out", dir.appendingPathComponent("faces").path, "--identities", "6",
                 "--images-per-identity", "3", "--size", "32", "--raw-size", "48", "--test-fraction", "0.5",
                 "--seed", "3", "--quiet"])
        return try write("""
        name: images
        outputs: out
        cache: out/cache
        stages:
          trunk:
            kind: init-weights
            params: {arch: iresnet18, widths: "4,8,8,16", input_size: 32, embedding_size: 16, seed: 2}
          aligned:
            kind: align
            params: {images: faces/images, landmarks: faces/landmarks.txt, size: 32}
          features:
            kind: embed
            inputs: {images: aligned, model: trunk}
            params: {arch: iresnet18, input_size: 32, strategies: [emb_norm], batch: 8}
          reject:
            kind: reject
            inputs: {store: features}
            params: {pairs: faces/pairs.csv, strategy: emb_norm, metrics: [cosine_mean], fars: [0.1], portions: "0:0.5:3"}
          fusion:
            kind: fusion
            inputs: {store: features}
            params: {protocol: faces/protocol/insightface, fusions: [mean_cosine], fars: [0.5], portions: "0:0.5:3"}
          report:
            kind: report
            inputs: {fusion: fusion}
        """, "images.yaml")
    }

    private func runner(_ path: String, registry: [String: any StageKind.Type] = StageRegistry.kinds) throws -> Runner {
        var r = Runner(pipeline: try PipelineFile.load(path), registry: registry)
        r.quiet = true
        return r
    }

    /// `scaleface run FILE --dry-run`: stage -> the text after its `[kind key]`.
    private func dryRun(_ path: String, line: UInt) throws -> [String: String] {
        let r = try TestSupport.scaleface(["run", path, "--dry-run"])
        XCTAssertEqual(r.status, 0, r.stderr, line: line)
        var statuses: [String: String] = [:]
        for l in r.stdout.split(separator: "\n") {
            guard let close = l.range(of: "] ") else { continue }
            statuses[String(l.prefix { $0 != " " })] = String(l[close.upperBound...])
        }
        return statuses
    }

    private func text(_ status: Runner.Status) -> String {
        switch status {
        case .cached: return "cached"
        case .forced: return "forced"
        case .stale(let why): return "stale: \(why)"
        }
    }

    /// After a change: the plan and the CLI's dry run say exactly `stale` (stage -> reason)
    /// and `cached` for every other stage; running does the stale stages' work, and a second
    /// run does none.
    private func expect(_ path: String, stale: [String: String], registry: [String: any StageKind.Type] = StageRegistry.kinds,
                        cliToo: Bool = true, line: UInt = #line) throws {
        let plan = try runner(path, registry: registry).plan()
        let expected = Dictionary(uniqueKeysWithValues: plan.map { ($0.name, stale[$0.name].map { "stale: \($0)" } ?? "cached") })
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: plan.map { ($0.name, text($0.status)) }), expected, "plan()", line: line)
        XCTAssertEqual(Set(stale.keys).subtracting(plan.map(\.name)), [], "stages not in the plan", line: line)
        if cliToo { XCTAssertEqual(try dryRun(path, line: line), expected, "--dry-run", line: line) }

        XCTAssertEqual(try runner(path, registry: registry).run(), plan.map(\.name).filter { stale[$0] != nil }, "run", line: line)
        try expectNoWork(path, registry: registry, cliToo: cliToo, line: line)
    }

    private func expectNoWork(_ path: String, registry: [String: any StageKind.Type] = StageRegistry.kinds,
                              cliToo: Bool = true, line: UInt = #line) throws {
        let plan = try runner(path, registry: registry).plan()
        XCTAssertEqual(plan.filter { $0.status != .cached }.map { "\($0.name): \(text($0.status))" }, [], "rerun plan", line: line)
        if cliToo {
            XCTAssertEqual(Set(try dryRun(path, line: line).values), ["cached"], "rerun --dry-run", line: line)
        }
        XCTAssertEqual(try runner(path, registry: registry).run(), [], "rerun", line: line)
    }

    private func firstRun(_ path: String, line: UInt = #line) throws {
        let all = try runner(path).plan().map(\.name)
        XCTAssertEqual(try runner(path).run(), all, line: line)
        try expectNoWork(path, line: line)
    }

    /// Rewrites a file with new content; its modification time is set past the old one so
    /// that even a same-size rewrite within the clock's resolution is seen.
    private func rewrite(_ name: String, _ transform: (String) -> String) throws {
        let url = dir.appendingPathComponent(name)
        let old = try String(contentsOf: url, encoding: .utf8)
        let before = try fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date ?? Date()
        let new = transform(old)
        XCTAssertNotEqual(new, old, name)
        try new.write(to: url, atomically: false, encoding: .utf8)
        try fm.setAttributes([.modificationDate: max(Date(), before.addingTimeInterval(1))], ofItemAtPath: url.path)
    }

    private func replace(_ name: String, with other: String) throws {
        let bytes = try Data(contentsOf: dir.appendingPathComponent(other))
        XCTAssertNotEqual(bytes, try Data(contentsOf: dir.appendingPathComponent(name)))
        try bytes.write(to: dir.appendingPathComponent(name))
    }

    // MARK: cases

    func testRerunWithNothingChangedDoesNoWork() throws {
        let embeddings = try embeddingsPipeline()
        try firstRun(embeddings)
        try expectNoWork(embeddings)
        let images = try imagesPipeline()
        try firstRun(images)
        try expectNoWork(images)
    }

    func testChangingAPairListRerunsItsRejectStageAndDownstream() throws {
        let p = try embeddingsPipeline()
        try firstRun(p)
        try rewrite("data/pairs.csv") { text in
            let lines = text.split(separator: "\n")
            return (lines.prefix(1) + lines.dropFirst().enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
                .joined(separator: "\n") + "\n"
        }
        try expect(p, stale: ["reject": "pairs: data/pairs.csv changed",
                              "report": "input reject: stage 'reject' changed"])
    }

    func testChangingImportedArraysRerunsTheStoreAndDownstream() throws {
        let p = try embeddingsPipeline()
        try firstRun(p)
        let downstream = ["reject": "input store: stage 'store' changed",
                          "reject_b": "input store: stage 'store' changed",
                          "report": "input reject: stage 'reject' changed"]
        try replace("data/embeddings.npy", with: "alt/embeddings.npy")
        try expect(p, stale: downstream.merging(["store": "embeddings: data/embeddings.npy changed"]) { $1 })
        try replace("data/confidence.npy", with: "alt/confidence.npy")
        try expect(p, stale: downstream.merging(["store": "uncertainty: data/confidence.npy changed"]) { $1 })
    }

    func testBumpingAKindVersionRerunsItsStagesAndDownstream() throws {
        let p = try embeddingsPipeline()
        try firstRun(p)
        var bumped = StageRegistry.kinds
        bumped[ImportKind.kind] = Bumped<ImportKind>.self
        try expect(p, stale: ["store": "kind import version \(ImportKind.version + 1) (was \(ImportKind.version))",
                              "reject": "input store: stage 'store' changed",
                              "reject_b": "input store: stage 'store' changed",
                              "report": "input reject: stage 'reject' changed"],
                   registry: bumped, cliToo: false)
        // The artifacts of the older version are still in the cache.
        XCTAssertEqual(Set(try dryRun(p, line: #line).values), ["cached"])
        XCTAssertEqual(try runner(p).run(), [])
    }

    func testChangingAProtocolFileRerunsFusionAndDownstream() throws {
        let p = try imagesPipeline()
        try firstRun(p)
        try rewrite("faces/protocol/insightface/ijbc_template_pair_label.txt") { text in
            let lines = text.split(separator: "\n")
            return lines.prefix(lines.count / 2 + 1).joined(separator: "\n") + "\n"
        }
        try expect(p, stale: ["fusion": "protocol: faces/protocol/insightface changed",
                              "report": "input fusion: stage 'fusion' changed"])
    }

    /// What changing `align`'s files reruns: align and everything that uses its crops.
    private let alignedDownstream = ["features": "input images: stage 'aligned' changed",
                                     "reject": "input store: stage 'features' changed",
                                     "fusion": "input store: stage 'features' changed",
                                     "report": "input fusion: stage 'fusion' changed"]

    func testChangingTheLandmarkFileRerunsAlignAndDownstream() throws {
        let p = try imagesPipeline()
        try firstRun(p)
        try rewrite("faces/landmarks.txt") { text in
            // The first picture's first landmark moves one pixel right.
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var fields = lines[0].split(separator: " ").map(String.init)
            fields[1] = String(Double(fields[1])! + 1)
            lines[0] = fields.joined(separator: " ")
            return lines.joined(separator: "\n")
        }
        try expect(p, stale: alignedDownstream.merging(["aligned": "landmarks: faces/landmarks.txt changed"]) { $1 })
    }

    func testAddingAnImageRerunsAlignAndDownstream() throws {
        let p = try imagesPipeline()
        try firstRun(p)
        let images = dir.appendingPathComponent("faces/images")
        let subject = try XCTUnwrap(fm.contentsOfDirectory(atPath: images.path).sorted().first)
        let picture = try XCTUnwrap(fm.contentsOfDirectory(atPath: images.appendingPathComponent(subject).path).sorted().first)
        try fm.copyItem(at: images.appendingPathComponent("\(subject)/\(picture)"),
                        to: images.appendingPathComponent("\(subject)/extra.png"))
        try expect(p, stale: alignedDownstream.merging(["aligned": "images: faces/images changed"]) { $1 })
    }
}

/// `K` under its own name with its version bumped: what the runner sees once a kind's code
/// changes and its `version` is bumped, as the kind version rule asks.
private enum Bumped<K: StageKind>: StageKind {
    typealias Options = K.Options
    static var kind: String { K.kind }
    static var version: Int { K.version + 1 }
    static var summary: String { K.summary }
    static var inputs: [InputSpec] { K.inputs }
    static var resumable: Bool { K.resumable }
    static var reservedOptions: Set<String> { K.reservedOptions }
    static func run(_ options: K.Options, in context: StageContext) throws { try K.run(options, in: context) }
}
