import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

final class PipelineRunnerTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = try TestSupport.scratchDirectory(self)
    }

    private func pipeline(model: String = "m1", identities: Int = 20, extra: String = "") throws -> String {
        let text = """
        name: t
        outputs: out
        cache: out/cache
        variables:
          seed: 3
        stages:
          data:
            kind: synth-embeddings
            params: {identities: \(identities), images_per_identity: 3, dimension: 8, seed: "${seed}"}
          store:
            kind: import
            inputs: {data: data}
            params:
              uncertainty: ["scale=confidence.npy:confidence"]
              model: \(model)
        \(extra)
        """
        let path = dir.appendingPathComponent("p.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func runner(_ path: String, overrides: [String: String] = [:]) throws -> Runner {
        var r = Runner(pipeline: try PipelineFile.load(path, overrides: overrides), registry: StageRegistry.kinds)
        r.quiet = true
        return r
    }

    func testRerunWithNothingChangedDoesNoWork() throws {
        let p = try pipeline()
        XCTAssertEqual(try runner(p).run(), ["data", "store"])
        let storeLink = dir.appendingPathComponent("out/store/store.h5").path
        let before = try FileManager.default.attributesOfItem(atPath: storeLink)[.modificationDate] as? Date
        XCTAssertEqual(try runner(p).run(), [])
        XCTAssertEqual(try runner(p).plan().map(\.status), [.cached, .cached])
        let after = try FileManager.default.attributesOfItem(atPath: storeLink)[.modificationDate] as? Date
        XCTAssertEqual(before, after, "the published store was not rewritten")
    }

    func testChangingAParameterRerunsOnlyThatStageAndItsDependents() throws {
        XCTAssertEqual(try runner(try pipeline(model: "m1")).run(), ["data", "store"])
        let plan = try runner(try pipeline(model: "m2")).plan()
        XCTAssertEqual(plan.map(\.status), [.cached, .stale("model: m1 -> m2")])
        XCTAssertEqual(try runner(try pipeline(model: "m2")).run(), ["store"])

        let upstream = try runner(try pipeline(model: "m2", identities: 21)).plan()
        XCTAssertEqual(upstream.map(\.status), [.stale("identities: 20 -> 21"),
                                                .stale("input data: stage 'data' changed")])
        // Going back to earlier settings finds their artifacts still in the cache.
        XCTAssertEqual(try runner(try pipeline(model: "m1")).run(), [])
        XCTAssertEqual(try runner(try pipeline(), overrides: ["seed": "4"]).plan().first?.status,
                       .stale("seed: 3 -> 4"))
    }

    func testForceRerunsTheStageAndDownstreamAndUntilStopsEarly() throws {
        let p = try pipeline()
        XCTAssertEqual(try runner(p).run(until: "data"), ["data"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/store").path))
        XCTAssertEqual(try runner(p).run(), ["store"])
        XCTAssertEqual(try runner(p).run(force: ["data"]), ["data", "store"])
        XCTAssertEqual(try runner(p).run(force: ["store"]), ["store"])
    }

    func testDryRunRunsNothing() throws {
        let p = try pipeline()
        let plan = try runner(p).plan()
        XCTAssertEqual(plan.map(\.status), [.stale("never run"), .stale("never run")])
        XCTAssertEqual(try runner(p).run(dryRun: true), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/cache/data").path))
        let cli = try TestSupport.scaleface(["run", p, "--dry-run"])
        XCTAssertEqual(cli.status, 0, cli.stderr)
        XCTAssertTrue(cli.stdout.contains("data [synth-embeddings \(plan[0].key)] stale: never run"), cli.stdout)
    }

    func testAFailingStagePublishesNothing() throws {
        let p = try pipeline(extra: """
          broken:
            kind: import
            params: {paths: paths.txt, embeddings: bad.npy}
        """)
        try "a\nb\n".write(to: dir.appendingPathComponent("paths.txt"), atomically: true, encoding: .utf8)
        try "not an array".write(to: dir.appendingPathComponent("bad.npy"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runner(p).run()) { XCTAssertTrue("\($0)".contains("bad.npy"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/broken").path))
        let broken = dir.appendingPathComponent("out/cache/broken")
        let published = (try? FileManager.default.contentsOfDirectory(atPath: broken.path))?.filter { !$0.hasSuffix(".partial") } ?? []
        XCTAssertEqual(published, [])
    }

    func testPipelineFileErrorsNameTheLine() throws {
        func expectError(_ text: String, _ message: String, line: UInt = #line) throws {
            let path = dir.appendingPathComponent("bad.yaml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try runner(path).plan(), line: line) {
                XCTAssertEqual("\($0)", "\(path):\(message)", line: line)
            }
        }
        try expectError("stages:\n  a:\n    kind: nope\n",
                        "2: stage 'a': unknown kind 'nope' (known: \(StageRegistry.kinds.keys.sorted().joined(separator: ", ")))")
        try expectError("stages:\n  a:\n    kind: synth-embeddings\n    params:\n      seeds: 3\n",
                        "5: stage 'a': unknown parameter 'seeds' for kind 'synth-embeddings' (accepted: identities, images_per_identity, dimension, seed)")
        try expectError("stages:\n  a:\n    kind: synth-embeddings\n    params: {seed: many}\n",
                        "4: stage 'a': the value 'many' is invalid for 'seed': expected an integer")
        try expectError("stages:\n  a:\n    kind: import\n    inputs: {data: b}\n",
                        "2: stage 'a': input 'data' names unknown stage 'b'")
        try expectError("stage:\n  a: {}\n", "1: unknown top-level key 'stage' (known: name, cache, outputs, variables, stages)")
        try expectError("stages:\n  a:\n    kind: synth-embeddings\n    params: {seed: \"${nope}\"}\n",
                        "4: unknown variable '${nope}'")
    }
}

/// The pipeline files shipped under pipelines/ are valid: every kind, input and parameter
/// checks out and a plan can be made.
final class ShippedPipelineTests: XCTestCase {
    func testDemoAndIJBCPipelinesPlan() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let demo = try PipelineFile.load(TestSupport.repoRoot.appendingPathComponent("pipelines/demo.yaml").path)
        XCTAssertEqual(demo.stages.map(\.kind), ["synth", "init-weights", "embed", "train-head", "heads", "train-head", "train-head",
                                                  "heads", "reject", "reject", "reject", "reject", "fusion", "scorecard", "distribution", "report"])
        let quick = try PipelineFile.load(TestSupport.repoRoot.appendingPathComponent("pipelines/quick.yaml").path)
        XCTAssertEqual(quick.stages.map(\.kind), ["synth-embeddings", "import", "reject", "distribution", "report"])
        let checkpoint = dir.appendingPathComponent("backbone.pth")
        try Data([1, 2, 3]).write(to: checkpoint)
        // Planning fingerprints every file and folder the stages name, so they must exist.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("meta"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("loose_crop"), withIntermediateDirectories: true)
        try Data().write(to: dir.appendingPathComponent("meta/ijbc_name_5pts_score.txt"))
        let ijbc = try PipelineFile.load(TestSupport.repoRoot.appendingPathComponent("pipelines/ijbc.yaml").path,
                                         overrides: ["ijbc": dir.path, "checkpoint": checkpoint.path])
        var copy = ijbc
        copy.cacheDirectory = dir.appendingPathComponent("cache")
        copy.outputDirectory = dir.appendingPathComponent("out")
        let plan = try Runner(pipeline: copy, registry: StageRegistry.kinds).plan()
        XCTAssertEqual(plan.map(\.name), ["align", "embed", "fusion", "distribution", "report"])
        XCTAssertTrue(plan.allSatisfy { $0.status == .stale("never run") })
    }
}
