import Analysis
import Foundation
@testable import Pipeline
@testable import Stages
import XCTest
@testable import Datasets

/// `far_rule` is declared once (CurveParameters) and reaches `reject`, `fusion` and pipeline
/// stages (docs/metrics.md, "FAR rules: reference and insightface"). The rule itself is
/// checked against sklearn in AnalysisTests.FARRuleGoldenTests; here: the same option, from
/// the command line and from a pipeline file, gives the results the Analysis rule computes.
final class FARRuleOptionTests: XCTestCase {
    func testTheOptionReachesRejectFusionAndPipelines() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let data = dir.appendingPathComponent("data")
        var r = try TestSupport.scaleface(["synth-embeddings", "--out", data.path, "--identities", "40",
                                           "--images-per-identity", "4", "--dimension", "16", "--seed", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let store = dir.appendingPathComponent("s.h5").path
        r = try TestSupport.scaleface(["store", "import", "--out", store, "--paths", data.appendingPathComponent("paths.txt").path,
                                       "--embeddings", data.appendingPathComponent("embeddings.npy").path,
                                       "--uncertainty", "scale=" + data.appendingPathComponent("confidence.npy").path + ":confidence"])
        XCTAssertEqual(r.status, 0, r.stderr)

        func results(_ out: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))) as! [String: Any]
        }
        func rejectRun(_ rule: String?) throws -> [String: Any] {
            let out = dir.appendingPathComponent("reject-\(rule ?? "default")").path
            let r = try TestSupport.scaleface(["reject", "--store", store, "--pairs", data.appendingPathComponent("pairs.csv").path,
                                               "--strategy", "scale", "--metrics", "cosine_mean", "--fars", "0.013,0.1",
                                               "--portions", "0:0.5:6", "--out", out, "--quiet"]
                                              + (rule.map { ["--far-rule", $0] } ?? []))
            XCTAssertEqual(r.status, 0, r.stderr)
            return try results(out)
        }
        let reference = try rejectRun(nil), explicit = try rejectRun("reference"), insight = try rejectRun("insightface")
        XCTAssertNil(reference["far_rule"])
        XCTAssertEqual(NSDictionary(dictionary: reference), NSDictionary(dictionary: explicit), "reference is the default")
        XCTAssertEqual(insight["far_rule"] as? String, "insightface")

        // With nothing rejected the insightface point is the one `tarAtFAR(rule: .insightface)`
        // picks on all pairs' cosine scores.
        let embeddings = try EvaluationInputs.load(store: store, strategy: nil, seed: 0)
        let index = ImageKeyIndex(paths: embeddings.paths)
        let pairs = try readImagePairs(data.appendingPathComponent("pairs.csv").path, format: .csv, index: index)
        let scores = try PairScorer(embeddings: embeddings.embeddings, uncertainty: nil, pairs: pairs).scores(.cosine)
        let expected = try tarAtFAR(scores: scores, labels: pairs.labels, fars: [0.013, 0.1], rule: .insightface)
        let tar = ((insight["metrics"] as! [String: Any])["cosine_mean"] as! [String: Any])["tar"] as! [[Double?]]
        XCTAssertEqual(tar.map { $0[0] }, expected.map(\.tar))
        let referenceTAR = ((reference["metrics"] as! [String: Any])["cosine_mean"] as! [String: Any])["tar"] as! [[Double?]]
        XCTAssertNotEqual(tar.map { $0[0] }, referenceTAR.map { $0[0] }, "at FAR 0.013 the two rules pick different points")

        // The same option in a pipeline file gives the same numbers.
        let pipeline = dir.appendingPathComponent("p.yaml")
        try """
        outputs: out
        stages:
          reject:
            kind: reject
            params: {store: s.h5, pairs: data/pairs.csv, strategy: scale, metrics: [cosine_mean], fars: [0.013, 0.1],
                     portions: "0:0.5:6", far_rule: insightface}
        """.write(to: pipeline, atomically: true, encoding: .utf8)
        r = try TestSupport.scaleface(["run", pipeline.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let fromPipeline = try results(dir.appendingPathComponent("out/reject").path)
        XCTAssertEqual((fromPipeline["metrics"] as! [String: Any])["cosine_mean"] as! NSDictionary,
                       (insight["metrics"] as! [String: Any])["cosine_mean"] as! NSDictionary)
        XCTAssertEqual(fromPipeline["far_rule"] as? String, "insightface")

        // fusion takes it too.
        let out = dir.appendingPathComponent("fusion").path
        r = try TestSupport.scaleface(["fusion", "--store", store, "--protocol", data.path, "--protocol-format", "insightface",
                                       "--fusions", "mean_cosine", "--fars", "0.1", "--far-rule", "insightface",
                                       "--out", out, "--quiet"])
        if FileManager.default.fileExists(atPath: data.appendingPathComponent("ijbc_face_tid_mid.txt").path) {
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(try results(out)["far_rule"] as? String, "insightface")
        } else {
            // synth-embeddings writes no template protocol: the option parses, the protocol is missing.
            XCTAssertFalse(r.stderr.contains("far-rule"), r.stderr)
            XCTAssertTrue(r.stderr.contains("ijbc_face_tid_mid.txt"), r.stderr)
        }
        let bad = try TestSupport.scaleface(["reject", "--store", store, "--pairs", "x", "--metrics", "cosine_mean",
                                             "--far-rule", "nearest", "--out", out])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("'reference', 'insightface' or 'cross'"), bad.stderr)
    }
}
