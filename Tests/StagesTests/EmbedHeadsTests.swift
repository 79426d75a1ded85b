import Foundation
import XCTest
@testable import Stages
import Store
import Core
import Backbone
@testable import Checkpoint

/// `embed` and `heads` with the heads and MagFace fixtures of tools/parity/heads_fixtures.py
/// (Tests/BackboneTests/Fixtures/heads; docs/strategies.md, "Heads" and "MagFace"): every head
/// kind through `heads` on a store's bottleneck, a MagFace checkpoint in MagFace's own key
/// layout, and the `uncertainty_model` section of an arcface+magface checkpoint.
final class EmbedHeadsTests: XCTestCase {
    static let backboneFixtures = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures")
    static let fixtures = backboneFixtures.appendingPathComponent("heads")

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    func floats(_ name: String) throws -> [Float] { try TestSupport.floats(Self.fixtures.appendingPathComponent(name)) }

    func assertClose(_ a: [Float], _ e: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(e.map { abs($0) }.max() ?? 0, 0, "\(what): degenerate expectation", file: file, line: line)
        assertCloseToScale(a, e, what, file: file, line: line)
    }

    /// The three 40 x 40 PNG faces of the backbone fixtures, listed as 2, 0, 1.
    func embed(_ dir: URL, checkpoint: String, strategies: [EmbedStrategy], _ extra: [String] = []) throws -> EmbeddingStore {
        let list = dir.appendingPathComponent("list.txt")
        try "png/face2.png\npng/face0.png\npng/face1.png\n".write(to: list, atomically: true, encoding: .utf8)
        let options = try EmbedOptions.parse([
            "--images", Self.backboneFixtures.path, "--list", list.path, "--checkpoint", checkpoint, "--arch", "iresnet18",
            "--strategies", strategies.map(\.rawValue).joined(separator: ","), "--batch", "2", "--threads", "2",
            "--input-size", "40",
        ] + extra)
        let out = dir.appendingPathComponent("out.h5").path
        try? FileManager.default.removeItem(atPath: out)
        XCTAssertEqual(try EmbedJob(options, output: out, quiet: true).run(), 3)
        return try EmbeddingStore.open(out)
    }

    func rows(_ values: [Float], width: Int) -> [Float] {
        [2, 0, 1].flatMap { Array(values[($0 * width)..<(($0 + 1) * width)]) }
    }

    func testMagFaceCheckpointInItsOwnKeyLayoutEmbedsDirectly() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let file = try Checkpoint.load(path: fixture("magface_ddp.pth"))
        XCTAssertNotNil(file["state_dict.module.features.conv1.weight"])
        XCTAssertNotNil(file["state_dict.module.fc.weight"])   // MagFace's margin classifier, dropped
        let store = try embed(dir, checkpoint: fixture("magface_ddp.pth"), strategies: [.magface], ["--preprocess", "scale"])
        assertClose(try store.embeddings(), rows(try floats("magface_ddp.feature.f32"), width: 16), "MagFace feature")
        let norm = try store.uncertainty(named: "magface")
        XCTAssertEqual(norm.mode, .confidence)
        assertClose(norm.values, rows(try floats("magface_ddp.norm.f32"), width: 1), "magface = ‖feature‖")
    }

    func testUncertaintyModelSectionRunsOnPixelsOver255() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let store = try embed(dir, checkpoint: fixture("arcface_magface.pth"), strategies: [.embNorm, .backboneUncertaintyModel])
        assertClose(try store.embeddings(), rows(try floats("arcface_magface.feature.f32"), width: 16), "ArcFace feature")
        assertClose(try store.uncertainty(named: "emb_norm").values, rows(try floats("arcface_magface.emb_norm.f32"), width: 1), "emb_norm")
        let u = try store.uncertainty(named: "backbone+uncertainty_model")
        XCTAssertEqual(u.mode, .confidence)
        XCTAssertEqual(u.width, 1)
        assertClose(u.values, rows(try floats("arcface_magface.uncertainty_model.f32"), width: 1), "‖uncertainty_model feature‖ on p / 255")
        // The same with the backbone's input standardised as p / 255: the uncertainty model's input is unchanged.
        let scaled = try embed(dir, checkpoint: fixture("arcface_magface.pth"), strategies: [.backboneUncertaintyModel], ["--preprocess", "scale"])
        assertClose(try scaled.uncertainty(named: "backbone+uncertainty_model").values, u.values, "uncertainty model after --preprocess scale")
    }

    func expectEmbedError(_ checkpoint: String, _ strategies: [EmbedStrategy], _ message: String,
                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try EmbeddingModel(checkpoint: checkpoint, arch: "iresnet18", strategies: strategies, inputSize: 40),
                             file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(message), "\(e)", file: file, line: line)
            XCTAssertFalse("\(e)".contains("\n"), "\(e)", file: file, line: line)
        }
    }

    func testMissingSectionsAndKeysAreNamed() throws {
        let dir = try TestSupport.scratchDirectory(self)
        expectEmbedError(fixture("magface_ddp.pth"), [.backboneUncertaintyModel],
                         "strategy 'backbone+uncertainty_model' needs an 'uncertainty_model' section")
        // A MagFace checkpoint missing a tensor: the error names it as the file does.
        var w = try Checkpoint.load(path: fixture("magface_ddp.pth"))
        w.remove("state_dict.module.features.layer1.1.conv2.weight")
        let broken = dir.appendingPathComponent("broken.h5").path
        try WeightsFile.write(w, to: broken, source: "magface_ddp.pth")
        expectEmbedError(broken, [.magface], "missing keys: state_dict.module.features.layer1.1.conv2.weight")
        // An uncertainty model without layer3.
        var a = try Checkpoint.load(path: fixture("arcface_magface.pth"))
        for n in a.names where n.hasPrefix("uncertainty_model.layer3.") { a.remove(n) }
        let noLayer3 = dir.appendingPathComponent("nolayer3.h5").path
        try WeightsFile.write(a, to: noLayer3, source: "arcface_magface.pth")
        expectEmbedError(noLayer3, [.backboneUncertaintyModel], "uncertainty_model.layer3.0.conv1.weight is missing")
        // strategy head on a checkpoint whose head is not the one a config names.
        let prob = dir.appendingPathComponent("prob.h5").path
        var p = try Checkpoint.load(path: Self.backboneFixtures.appendingPathComponent("bare_f32.pth").path)
        var nested = WeightSet(source: "prob")
        for n in p.names { nested.set("backbone.\(n)", p[n]!) }
        p = try Checkpoint.load(path: fixture("prob_head.pth"))
        for n in p.names { nested.set(n, p[n]!) }
        try WeightsFile.write(nested, to: prob, source: "prob")
        XCTAssertThrowsError(try EmbeddingModel(checkpoint: prob, arch: "iresnet18", strategies: [.head], inputSize: 40,
                                                headKind: .pfeAdjustable)) {
            XCTAssertTrue("\($0)".contains("head.fc1.weight makes the head a prob_head (ProbHead), but pfe_head_adjustable was asked for"), "\($0)")
        }
        // The fixture backbone's bottleneck (576) is not the head's 96 inputs.
        expectEmbedError(prob, [.head], "ProbHead takes 96 inputs, the iresnet18 bottleneck has 576")
    }

    struct SmallCase: Decodable { let name: String; let kind: String; let checkpoint: String; let sigma_sq: Shaped }
    struct Shaped: Decodable { let file: String; let shape: [Int] }
    struct Small: Decodable { let `in`: Int; let rows: Int; let features: Shaped; let cases: [SmallCase] }

    func testHeadsAppliesEveryHeadKindToTheStoredBottleneck() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let small = try JSONDecoder().decode(Small.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("small.json")))
        let x = try floats(small.features.file)
        for half in [false, true] {
            // The fixture rows are float16 values, so a half-precision bottleneck holds them exactly.
            let store = dir.appendingPathComponent("s\(half).h5").path
            let schema = StoreSchema(dimension: 2, model: "fixture", preprocessing: "none",
                                     strategies: [StrategyInfo(name: "emb_norm", width: 1, mode: .confidence)],
                                     bottleneckWidth: small.in, bottleneckHalf: half)
            let w = try EmbeddingStoreWriter.create(at: store, schema: schema, paths: (0..<small.rows).map { "img\($0).png" }, labels: nil)
            try w.append(embeddings: [Float](repeating: 1, count: 2 * small.rows),
                         uncertainties: ["emb_norm": [Float](repeating: 1, count: small.rows)], bottleneck: x)
            try w.finish()
            for c in small.cases {
                let out = dir.appendingPathComponent("\(c.name)\(half).h5").path
                try JobFactories.heads(store: store, checkpoints: [fixture(c.checkpoint)], strategies: [.head], output: out).run()
                let u = try EmbeddingStore.open(out).uncertainty(named: "head")
                XCTAssertEqual(u.mode, .uncertainty, c.name)
                XCTAssertEqual(u.width, c.kind == "prob_head" ? 1 : 16, c.name)
                assertClose(u.values, try floats(c.sigma_sq.file), "heads \(c.name) (half \(half))")
            }
        }
    }
}
