import Analysis
import Datasets
import Foundation
import XCTest
@testable import Backbone
@testable import Checkpoint
@testable import Stages
import Store

/// The `classifier` metrics of `reject` and `fusion` (docs/metrics.md, "Pair classifiers")
/// against tools/golden/classifier_golden.py (numpy, from the reference's definitions; fixtures in
/// Tests/Fixtures/classifier), and the classifier kept in the store by `embed --strategies
/// ...,classifier` (docs/store.md, "The pair classifier"), read back with h5py.
final class ClassifierMetricsTests: XCTestCase {
    static let fixtures = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/classifier")
    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    struct Curve: Decodable { let tar: [[Double?]]; let kept: [Int] }
    struct Model: Decodable {
        let file: String
        let in_store: Bool
        let saturated: Int
        let same: [Float]
        let uncertainty: [Float]
        let reject: [String: Curve]
        let fusion: [String: Curve]
    }
    struct Golden: Decodable { let fars: [Double]; let portions: [Double]; let classifiers: [String: Model] }

    func golden() throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: URL(fileURLWithPath: fixture("golden.json"))))
    }

    func results(_ out: String) throws -> ResultsFile {
        try JSONDecoder().decode(ResultsFile.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/results.json")))
    }

    func assertCurves(_ got: ResultsFile, _ want: [String: Curve], _ what: String) {
        XCTAssertEqual(Set(got.metrics.keys), Set(want.keys), what)
        for (name, curve) in want {
            guard let m = got.metrics[name] else { continue }
            XCTAssertEqual(m.kept, curve.kept, "\(what) \(name) kept")
            for (f, row) in curve.tar.enumerated() {
                for (p, t) in row.enumerated() {
                    XCTAssertEqual(m.tar[f][p] ?? -1, t ?? -1, accuracy: 1e-12, "\(what) \(name) FAR \(got.fars[f]) portion \(p)")
                }
            }
        }
    }

    /// `--pair-classifier` for SmartCosine (a `pair_classifier.` section) and MLP (bare), and
    /// the Bilinear kept in the store's /pair_classifier without the option.
    func testRejectAndFusionMatchTheGolden() throws {
        let g = try golden(), dir = try TestSupport.scratchDirectory(self)
        XCTAssertEqual(Set(g.classifiers.keys), ["smart_cosine", "bilinear", "mlp"])
        for (kind, model) in g.classifiers.sorted(by: { $0.key < $1.key }) {
            let classifier = model.in_store ? [] : ["--pair-classifier", fixture(model.file)]
            let common = ["--store", fixture("store.h5"), "--strategy", "head", "--fars", "0.05,0.1,0.2",
                          "--portions", "0:0.5:6", "--quiet"] + classifier
            let out = dir.appendingPathComponent("reject-\(kind)").path
            var r = try TestSupport.scaleface(["reject", "--pairs", fixture("pairs.csv"),
                                               "--metrics", "classifier_classifier,cosine_classifier,MLS_classifier",
                                               "--out", out] + common)
            XCTAssertEqual(r.status, 0, r.stderr)
            assertCurves(try results(out), model.reject, "reject \(kind)")
            let fout = dir.appendingPathComponent("fusion-\(kind)").path
            r = try TestSupport.scaleface(["fusion", "--protocol", Self.fixtures.path, "--protocol-format", "insightface",
                                           "--reject-metrics", "mean_classifier_classifier,mean_cosine_classifier,mean_MLS_classifier",
                                           "--out", fout] + common)
            XCTAssertEqual(r.status, 0, r.stderr)
            assertCurves(try results(fout), model.fusion, "fusion \(kind)")
        }
    }

    /// p(same) and 1 - max p per image pair, within 1e-6 of the golden (float64 logits rounded
    /// once; Swift forms them in float32), saturated pairs exactly 0.
    func testPairValuesMatchTheGolden() throws {
        let g = try golden()
        let inputs = try EvaluationInputs.load(store: fixture("store.h5"), strategy: nil)
        let pairs = try readImagePairs(fixture("pairs.csv"), format: .csv, index: ImageKeyIndex(paths: inputs.paths))
        for (kind, model) in g.classifiers {
            let c = try XCTUnwrap(EvaluationClassifier.load(option: model.in_store ? nil : fixture(model.file), store: fixture("store.h5")))
            XCTAssertEqual(c.classifier.kind, kind)
            let v = try c.function(inputs.embeddings, pairs)
            let worst = zip(v.same + v.uncertainty, model.same + model.uncertainty).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(worst, 1e-6, kind)
            XCTAssertEqual(v.uncertainty.filter { $0 == 0 }.count, model.uncertainty.filter { $0 == 0 }.count, "\(kind) saturated pairs")
        }
    }

    func testMissingClassifierAndWrongDimensionAreOneLineErrors() throws {
        let dir = try TestSupport.scratchDirectory(self)
        // a store without /pair_classifier and no option
        let inputs = try EvaluationInputs.load(store: fixture("store.h5"), strategy: "head")
        let plain = dir.appendingPathComponent("plain.h5").path
        let writer = try EmbeddingStoreWriter.create(at: plain, schema: StoreSchema(dimension: 16, model: "t", preprocessing: "t",
                                                                                  strategies: [StrategyInfo(name: "head", width: 16, mode: .uncertainty)]),
                                                     paths: inputs.paths)
        try writer.append(embeddings: inputs.embeddings.values, uncertainties: ["head": inputs.uncertainty!.values])
        try writer.finish()
        var r = try TestSupport.scaleface(["reject", "--store", plain, "--pairs", fixture("pairs.csv"), "--metrics",
                                           "cosine_classifier", "--fars", "0.1", "--out", dir.appendingPathComponent("o").path, "--quiet"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("metric cosine_classifier needs a pair classifier"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        // a classifier for 8-d embeddings on a 16-d store
        var w = WeightSet(source: "x")
        w.set("fc1.weight", Tensor(shape: [2, 8], values: [Float](repeating: 0.5, count: 16)))
        let small = dir.appendingPathComponent("small.h5").path
        try WeightsFile.write(w, to: small, source: "test")
        r = try TestSupport.scaleface(["reject", "--store", plain, "--pairs", fixture("pairs.csv"), "--metrics",
                                       "classifier_classifier", "--fars", "0.1", "--pair-classifier", small,
                                       "--out", dir.appendingPathComponent("o2").path, "--quiet"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("takes 8-d embeddings but these are 16-d"), r.stderr)
    }

    /// An untrusted store: a mis-shaped tensor, a 4-d tensor and a kind that does not match are
    /// errors naming the group, never a crash.
    func testCorruptStoreGroupIsRefused() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let script = TestSupport.repoRoot.appendingPathComponent("Tests/Interop/pair_classifier_interop.py").path
        for (what, message) in [("shape", "fc.weight"), ("rank", "/pair_classifier/extra has shape [1, 1, 1, 2]"),
                                ("kind", "has kind 'mlp' but its tensors are a bilinear classifier")] {
            let bad = dir.appendingPathComponent("\(what).h5").path
            let r = try TestSupport.run(try TestSupport.python(), [script, "corrupt", fixture("store.h5"), bad, what])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertThrowsError(try PairClassifierStore.load(store: bad), what) { e in
                XCTAssertTrue("\(e)".contains(message), "\(what): \(e)")
            }
        }
    }

    /// `embed --strategies emb_norm,classifier --pair-classifier` keeps the classifier in the
    /// store: h5py reads it back, and it gives the values the checkpoint gives.
    func testEmbedKeepsTheClassifierInTheStore() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let nets = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures")
        let checkpoint = nets.appendingPathComponent("nested_f32.pth").path
        let d = try XCTUnwrap(WeightsFile.load(path: checkpoint)["backbone.fc.weight"]).shape[0]
        var w = WeightSet(source: "test")
        w.set("pair_classifier.fc1.weight", Tensor(shape: [2, d], values: (0..<(2 * d)).map { Float($0 % 7) - 3 }))
        w.set("pair_classifier.fc1.bias", Tensor(shape: [2], values: [0.25, -0.5]))
        let weights = dir.appendingPathComponent("cls.h5").path
        try WeightsFile.write(w, to: weights, source: "test")
        let list = dir.appendingPathComponent("list.txt")
        try "png/face2.png\npng/face0.png\npng/face1.png\n".write(to: list, atomically: true, encoding: .utf8)
        let store = dir.appendingPathComponent("out.h5").path
        func embed(_ extra: [String]) throws -> TestSupport.Result {
            try TestSupport.scaleface(["embed", "--images", nets.path, "--list", list.path, "--checkpoint", checkpoint,
                                       "--arch", "iresnet18", "--batch", "2", "--threads", "2", "--input-size", "40",
                                       "--out", store, "--quiet"] + extra)
        }
        var r = try embed(["--strategies", "emb_norm,classifier"])
        XCTAssertNotEqual(r.status, 0, "the checkpoint has no pair_classifier section")
        XCTAssertTrue(r.stderr.contains("strategy 'classifier' needs a 'pair_classifier' section"), r.stderr)
        r = try embed(["--strategies", "emb_norm", "--pair-classifier", weights])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("only with --strategies ...,classifier"), r.stderr)
        r = try embed(["--strategies", "emb_norm,classifier", "--pair-classifier", weights])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try EmbeddingStore.open(store).strategies.map(\.name), ["emb_norm"])
        let check = try TestSupport.run(try TestSupport.python(),
                                        [TestSupport.repoRoot.appendingPathComponent("Tests/Interop/pair_classifier_interop.py").path,
                                         "check", store, weights])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stdout, "ok\n")
        let inputs = try EvaluationInputs.load(store: store, strategy: nil)
        let pairs = try PairIndex(left: [0, 0, 1, 2], right: [1, 2, 2, 0], labels: [true, false, false, true])
        let kept = try XCTUnwrap(EvaluationClassifier.load(option: nil, store: store))
        let given = try XCTUnwrap(EvaluationClassifier.load(option: weights, store: store))
        XCTAssertEqual(kept.classifier.kind, "smart_cosine")
        XCTAssertEqual(try kept.function(inputs.embeddings, pairs), try given.function(inputs.embeddings, pairs))
    }

    /// In a pipeline, `pair_classifier` is a path option: the file's content is in the reject
    /// stage's cache key, so replacing the classifier reruns the stage.
    func testThePipelineKeyCoversTheClassifierFile() throws {
        let dir = try TestSupport.scratchDirectory(self)
        for f in ["store.h5", "pairs.csv"] {
            try FileManager.default.copyItem(atPath: fixture(f), toPath: dir.appendingPathComponent(f).path)
        }
        let cls = dir.appendingPathComponent("cls.h5").path
        try FileManager.default.copyItem(atPath: fixture("smart_cosine.h5"), toPath: cls)
        let pipeline = dir.appendingPathComponent("p.yaml").path
        try """
        outputs: out
        stages:
          reject:
            kind: reject
            params: {store: store.h5, pairs: pairs.csv, metrics: [classifier_classifier], fars: [0.1],
                     portions: "0:0.5:6", pair_classifier: cls.h5}
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        var r = try TestSupport.scaleface(["run", pipeline, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let first = try results(dir.appendingPathComponent("out/reject").path)
        r = try TestSupport.scaleface(["run", pipeline, "--dry-run"])
        XCTAssertTrue(r.stdout.contains("cached"), r.stdout)
        try FileManager.default.removeItem(atPath: cls)
        try FileManager.default.copyItem(atPath: fixture("mlp.h5"), toPath: cls)
        r = try TestSupport.scaleface(["run", pipeline, "--dry-run"])
        XCTAssertTrue(r.stdout.contains("pair_classifier: cls.h5 changed"), r.stdout)
        r = try TestSupport.scaleface(["run", pipeline, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertNotEqual(try results(dir.appendingPathComponent("out/reject").path).metrics, first.metrics)
    }
}
