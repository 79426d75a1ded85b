import Foundation
import XCTest
@testable import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// The scorecard from hand-written reject results and a tiny store, and the random-order
/// baseline strategy of reject.
final class ScorecardTests: XCTestCase {
    func writeResults(_ dir: URL, strategy: String, tar: [Double], auc: Double) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let json: [String: Any] = ["kind": "reject", "fars": [0.001, 0.01], "portions": [0, 0.25, 0.5], "pairs": 100, "positives": 20,
                                   "metrics": ["cosine_mean": ["tar": [[0.1, 0.1, 0.1], tar], "auc": [0.05, auc],
                                                               "far": [[0.001, 0.001, 0.001], [0.01, 0.01, 0.01]],
                                                               "threshold": [[0.9, 0.9, 0.9], [0.8, 0.8, 0.8]],
                                                               "kept": [100, 75, 50]]]]
        try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("results.json"))
        let record = ArtifactRecord(stage: dir.lastPathComponent, kind: "reject", version: 1, key: "k", parameters: ["strategy": strategy],
                                    inputs: [:], inputKeys: [:], files: [:])
        try JSONEncoder().encode(record).write(to: dir.appendingPathComponent(ArtifactRecord.fileName))
    }

    func makeInputs(_ dir: URL) throws -> ScorecardJob {
        // Trapezoid AUC of [0.5, 0.6, 0.7] over [0, 0.25, 0.5] is 0.3; the flat baseline's 0.25.
        try writeResults(dir.appendingPathComponent("reject_scale"), strategy: "scale", tar: [0.5, 0.6, 0.7], auc: 0.3)
        try writeResults(dir.appendingPathComponent("reject_random"), strategy: "random", tar: [0.5, 0.5, 0.5], auc: 0.25)
        // Six images; scale falls as severity rises (Spearman -1 over the subset); head is a
        // 2-vector whose harmonic mean rises with severity except for one swapped pair.
        let paths = (1...6).map { "p\($0).png" }
        let schema = StoreSchema(dimension: 2, model: "m", preprocessing: "p",
                                 strategies: [StrategyInfo(name: "scale", width: 1, mode: .confidence),
                                              StrategyInfo(name: "head", width: 2, mode: .uncertainty)])
        let store = dir.appendingPathComponent("store.h5").path
        let w = try EmbeddingStoreWriter.create(at: store, schema: schema, paths: paths, labels: nil)
        try w.append(embeddings: [Float](repeating: 1, count: 12),
                     uncertainties: ["scale": [60, 50, 40, 30, 20, 99], "head": [1, 1, 2, 2, 4, 4, 3, 3, 5, 5, 0.5, 0.5]],
                     bottleneck: nil)
        try w.finish()
        let severity = "path,severity,blur\n" + zip(paths, [0.1, 0.2, 0.3, 0.4, 0.5, 0.0]).map { "\($0),\($1),0" }.joined(separator: "\n") + "\n"
        try severity.write(to: dir.appendingPathComponent("severity.csv"), atomically: true, encoding: .utf8)
        try (paths.prefix(5).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("test.txt"), atomically: true, encoding: .utf8)
        let options = try ScorecardOptions.parse([
            "--far", "0.01", "--metric", "cosine_mean", "--method", "reject_scale", "--baseline", "reject_random",
            "--covariate-file", dir.appendingPathComponent("severity.csv").path,
            "--subset", dir.appendingPathComponent("test.txt").path,
        ])
        return ScorecardJob(options, rejects: [("reject_scale", dir.appendingPathComponent("reject_scale")),
                                               ("reject_random", dir.appendingPathComponent("reject_random"))],
                            store: store)
    }

    func testFiguresAndChecks() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let card = try makeInputs(dir).build()
        XCTAssertEqual(card.curves.map(\.strategy), ["scale", "random"])
        XCTAssertEqual(card.curves[0].tarNoneRejected, 0.5)
        XCTAssertEqual(card.curves[0].aucRatio!, 1.2, accuracy: 1e-12)
        XCTAssertEqual(card.curves[1].aucRatio!, 1, accuracy: 1e-12)
        let scale = card.correlations.first { $0.strategy == "scale" }!
        XCTAssertEqual(scale.images, 5)
        XCTAssertEqual(scale.spearman!, -1, accuracy: 1e-12)
        // head's per-image values (harmonic means) 1, 2, 4, 3, 5 against 0.1 ... 0.5:
        // rank differences 0, 0, 1, 1, 0 -> 1 - 6 * 2 / (5 * 24) = 0.9.
        XCTAssertEqual(card.correlations.first { $0.strategy == "head" }!.spearman!, 0.9, accuracy: 1e-12)
        XCTAssertEqual(card.checks.map(\.pass), [true, true, true])
        XCTAssertEqual(card.checks[0].value, 0.5)
        XCTAssertEqual(card.checks[1].value!, 1.2, accuracy: 1e-12)
        XCTAssertEqual(card.checks[2].value!, -1, accuracy: 1e-12)

        var strict = try makeInputs(dir.appendingPathComponent("strict"))
        strict.options.minTar = 0.6
        strict.options.minAucRatio = 1.25
        XCTAssertEqual(try strict.build().checks.map(\.pass), [false, false, true])

        try card.write(to: dir.appendingPathComponent("out"))
        let back = try JSONDecoder().decode(Scorecard.self, from: Data(contentsOf: dir.appendingPathComponent("out/scorecard.json")))
        XCTAssertEqual(back, card)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/figures/reject_far_0.01.png").path))
        let csv = try String(contentsOf: dir.appendingPathComponent("out/scorecard.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 4)
    }

    func testErrorsNameWhatIsMissing() throws {
        let dir = try TestSupport.scratchDirectory(self)
        var job = try makeInputs(dir)
        job.options.baseline = "reject_nope"
        XCTAssertThrowsError(try job.build()) { XCTAssertTrue("\($0)".contains("baseline 'reject_nope' is not among"), "\($0)") }
        job = try makeInputs(dir)
        job.options.far = 0.1
        XCTAssertThrowsError(try job.build()) { XCTAssertTrue("\($0)".contains("results.json: no FAR 0.1"), "\($0)") }
        job = try makeInputs(dir)
        job.options.covariate = "noise"
        XCTAssertThrowsError(try job.build()) { XCTAssertTrue("\($0)".contains("severity.csv:1: expected columns 'path' and 'noise'"), "\($0)") }
    }

    func testRandomBaselineStrategy() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let data = dir.appendingPathComponent("data")
        var r = try TestSupport.scaleface(["synth-embeddings", "--out", data.path, "--identities", "30",
                                           "--images-per-identity", "4", "--dimension", "16"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let store = dir.appendingPathComponent("s.h5").path
        r = try TestSupport.scaleface(["store", "import", "--out", store, "--paths", data.appendingPathComponent("paths.txt").path,
                                       "--embeddings", data.appendingPathComponent("embeddings.npy").path,
                                       "--uncertainty", "scale=" + data.appendingPathComponent("confidence.npy").path + ":confidence"])
        XCTAssertEqual(r.status, 0, r.stderr)
        func run(_ strategy: String, seed: Int) throws -> [Double] {
            let out = dir.appendingPathComponent("\(strategy)-\(seed)").path
            let r = try TestSupport.scaleface(["reject", "--store", store, "--pairs", data.appendingPathComponent("pairs.csv").path,
                                               "--strategy", strategy, "--metrics", "cosine_mean", "--fars", "0.1",
                                               "--portions", "0:0.5:6", "--seed", "\(seed)", "--out", out, "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))) as! [String: Any]
            return ((json["metrics"] as! [String: Any])["cosine_mean"] as! [String: Any])["tar"].map { ($0 as! [[Double]])[0] }!
        }
        let scale = try run("scale", seed: 0), a = try run("random", seed: 1), b = try run("random", seed: 1), c = try run("random", seed: 2)
        XCTAssertEqual(a, b, "the same seed gives the same order")
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(a[0], scale[0], "nothing rejected: the same pairs")
        XCTAssertNotEqual(a, scale)
    }
}
