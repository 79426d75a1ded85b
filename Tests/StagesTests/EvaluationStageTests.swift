import Analysis
import Foundation
import XCTest
@testable import Stages
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// The reject and fusion stages: numbers against the numpy golden file, results.json/csv
/// layout, and the command-line errors.
final class EvaluationStageTests: XCTestCase {
    private struct Golden: Decodable {
        struct Curve: Decodable { var tar: [[Double?]]; var far: [[Double?]] }
        struct Verification: Decodable { var tar: [Double]; var far: [Double] }
        var embeddings: [Float], dimension: Int, uncertainty: [Float], offsets: [Int], members: [Int32]
        var left: [Int32], right: [Int32], labels: [Bool], fars: [Double], portions: [Double]
        var verification: Verification
        var verification_single: Verification
        var cosines: [Double], cosines_single: [Double]
        var reject: Curve
        var reject_equal_enroll: Curve
    }

    private func golden() throws -> Golden {
        struct File: Decodable { var templates: Golden }
        let url = TestSupport.repoRoot.appendingPathComponent("Tests/AnalysisTests/Fixtures/fusion.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).templates
    }

    func testTemplateStageEqualsNumpy() throws {
        let g = try golden()
        let (inputs, pairs, proto) = try goldenTemplates()
        // the golden's first FAR (1e-3) is below 1/813 negatives (computed with a warning; the
        // golden's stable keep order is scaleface's `--tie-order stable`)
        let fars = Array(g.fars.dropFirst())
        for equal in [false, true] {
            var curve = CurveOptions(fars: fars, portions: g.portions)
            curve.tieOrder = .stable
            let options = FusionEvaluationOptions(verification: [try FusionMetric(name: "mean_cosine", withUncertainty: false)],
                                        reject: [try FusionMetric(name: "mean_cosine_mean", withUncertainty: true)],
                                        curve: curve, equalUncertaintyEnroll: equal)
            let fused = try fuseAll(inputs: inputs, templates: proto, options: options)
            let r = try evaluateTemplates(fused: fused, pairs: pairs, options: options, storedMode: .uncertainty)
            // template versus single image: verification is mean (enrolment) against first too
            let ver = equal ? g.verification_single : g.verification
            XCTAssertEqual(r.verification[0].points.map(\.tar), Array(ver.tar.dropFirst()))
            XCTAssertEqual(r.verification[0].points.map(\.far), Array(ver.far.dropFirst()))
            let want = equal ? g.reject_equal_enroll : g.reject
            XCTAssertEqual(r.metrics[0].name, "mean_cosine_mean")
            XCTAssertEqual(r.metrics[0].curve.tar, want.tar.dropFirst().map { $0.map { $0 ?? .nan } })
            XCTAssertEqual(r.metrics[0].curve.far, want.far.dropFirst().map { $0.map { $0 ?? .nan } })
        }
    }

    /// The biased-cosine bias of a fusion from a validation protocol (here the golden protocol
    /// itself): half the sum of numpy's genuine and impostor mean template cosines, in each
    /// setup; results.json records it per fusion.
    func testValidationProtocolBias() throws {
        let g = try golden()
        let (inputs, pairs, proto) = try goldenTemplates()
        func mean(_ v: [Double], _ keep: (Int) -> Bool) -> Double {
            let s = v.indices.filter(keep).map { v[$0] }
            return s.reduce(0, +) / Double(s.count)
        }
        for equal in [false, true] {
            let cos = equal ? g.cosines_single : g.cosines
            let want = (mean(cos) { g.labels[$0] } + mean(cos) { !g.labels[$0] }) / 2
            var options = FusionEvaluationOptions(
                verification: [try FusionMetric(name: "mean_biased-cosine", withUncertainty: false)],
                reject: [try FusionMetric(name: "mean_scale-mul-biased-cosine_mean", withUncertainty: true),
                         try FusionMetric(name: "first_cosine_mean", withUncertainty: true)],
                curve: CurveOptions(fars: [0.1], portions: [0, 0.5]), equalUncertaintyEnroll: equal)
            XCTAssertEqual(options.biasedFusions, [.mean])
            options.biases = try validationBiases(inputs: inputs, validation: proto, options: options)
            XCTAssertEqual(Array(options.biases.keys), [.mean])
            XCTAssertEqual(options.biases[.mean]!, want, accuracy: 1e-6)
            let fused = try fuseAll(inputs: inputs, templates: proto, options: options)
            let r = try evaluateTemplates(fused: fused, pairs: pairs, options: options, storedMode: .uncertainty)
            XCTAssertEqual(r.file.bias, ["mean": options.biases[.mean]!])
            // a biased metric without a bias is refused
            options.biases = [:]
            XCTAssertThrowsError(try evaluateTemplates(fused: fused, pairs: pairs, options: options, storedMode: .uncertainty)) {
                XCTAssertTrue("\($0)".contains("--val-protocol"), "\($0)")
            }
        }
    }

    /// The golden templates as stage inputs.
    private func goldenTemplates() throws -> (inputs: EvaluationInputs, pairs: PairIndex, proto: TemplateProtocol) {
        let g = try golden()
        let inputs = EvaluationInputs(
            paths: (0..<(g.embeddings.count / g.dimension)).map { "img\($0)" },
            embeddings: try RowMatrix(values: g.embeddings, rows: g.embeddings.count / g.dimension, columns: g.dimension),
            uncertainty: try RowMatrix(values: g.uncertainty, rows: g.uncertainty.count, columns: 1), storedMode: .uncertainty)
        let pairs = try PairIndex(left: g.left, right: g.right, labels: g.labels)
        let members = try TemplateMembers(offsets: g.offsets, members: g.members)
        let proto = TemplateProtocol(templateIDs: Array(0..<members.count), members: members, pairs: pairs,
                                     droppedTemplates: 0, droppedPairs: 0, missingImages: 0)
        return (inputs, pairs, proto)
    }

    /// Template EDC starts from the template verification error; bootstrap needs subjects.
    func testTemplateEDCAndBootstrap() throws {
        let (inputs, pairs, proto) = try goldenTemplates()
        let members = proto.members
        var curve = CurveOptions(fars: [0.01, 0.1], portions: linspace(0, 0.5, 6))
        curve.edcLimit = 0.2
        curve.bootstrap = 10
        curve.seed = 2
        let options = FusionEvaluationOptions(verification: [try FusionMetric(name: "mean_cosine", withUncertainty: false)],
                                    reject: [try FusionMetric(name: "mean_cosine_mean", withUncertainty: true)], curve: curve)
        let fused = try fuseAll(inputs: inputs, templates: proto, options: options)
        XCTAssertThrowsError(try evaluateTemplates(fused: fused, pairs: pairs, options: options, storedMode: .uncertainty)) {
            XCTAssertTrue("\($0)".contains("no subjects"), "\($0)")
        }
        // golden pairs: subject of a template = identity of its images; any per-row id works here
        let subjects = (0..<Int64(members.count)).map { $0 % 7 }
        let r = try evaluateTemplates(fused: fused, pairs: pairs, options: options, storedMode: .uncertainty, subjects: subjects)
        let edc = try XCTUnwrap(r.edc["mean_cosine_mean"])
        XCTAssertNotNil(r.bootstrap["mean_cosine_mean"])
        XCTAssertEqual(edc.startError.count, r.verification[0].points.count)
        for (s, p) in zip(edc.startError, r.verification[0].points) { XCTAssertEqual(s, 1 - p.tar) }
    }

    /// `CurveOptions.farRule` reaches verification, the reject curves and the EDC, and is
    /// recorded in results.json (docs/metrics.md, "FAR rules: reference and insightface").
    func testFARRuleReachesEveryPointAndResults() throws {
        let (inputs, pairs, proto) = try goldenTemplates()
        var results: [FARRule: EvaluationResults] = [:]
        for rule in FARRule.allCases {
            var curve = CurveOptions(fars: [0.002, 0.01, 0.1, 0.3], portions: linspace(0, 0.5, 6))
            curve.farRule = rule
            curve.edcLimit = 0.2
            let options = FusionEvaluationOptions(verification: [try FusionMetric(name: "mean_cosine", withUncertainty: false)],
                                        reject: [try FusionMetric(name: "mean_cosine_mean", withUncertainty: true)],
                                        curve: curve)
            let r = try evaluateTemplates(fused: try fuseAll(inputs: inputs, templates: proto, options: options),
                                          pairs: pairs, options: options, storedMode: .uncertainty)
            // the reject metric has the verification's score: portion 0 is the verification point
            XCTAssertEqual(r.metrics[0].curve.tar.map { $0[0] }, r.verification[0].points.map(\.tar), "\(rule)")
            XCTAssertEqual(r.metrics[0].curve.threshold.map { $0[0] }, r.verification[0].points.map(\.threshold), "\(rule)")
            let edc = try XCTUnwrap(r.edc["mean_cosine_mean"])
            XCTAssertEqual(edc.threshold, r.verification[0].points.map { $0.threshold.isFinite ? $0.threshold : nil })
            let json = String(decoding: try r.file.encoded(), as: UTF8.self)
            XCTAssertEqual(json.contains("\"far_rule\":\"insightface\""), rule == .insightface)
            XCTAssertFalse(rule == .reference && json.contains("far_rule"))
            results[rule] = r
        }
        XCTAssertNotEqual(results[.reference]!.metrics[0].curve.threshold, results[.insightface]!.metrics[0].curve.threshold)
    }

    func testResultsJSONAndCSVLayout() throws {
        let curve = RejectCurve(fars: [0.1, 0.5], portions: [0, 0.25], kept: [4, 3], tar: [[1, 0.5], [1, .nan]],
                                far: [[0, 0], [0.5, .nan]], threshold: [[0.25, 0.5], [0.125, .nan]], auc: [0.1875, .nan])
        var r = EvaluationResults(kind: .fusion, fars: [0.1, 0.5], portions: [0, 0.25], pairs: 4, positives: 2)
        r.metrics = [(name: "mean_cosine_mul", curve: curve)]
        r.verification = [.init(name: "mean_cosine", points: [OperatingPoint(tar: 0.5, far: 0.1, threshold: 0.3)])]
        // Written by hand: the same values, keys sorted, undefined numbers null.
        XCTAssertEqual(String(decoding: try r.file.encoded(), as: UTF8.self), """
            {"fars":[0.1,0.5],"kind":"fusion","metrics":{"mean_cosine_mul":{"auc":[0.1875,null],"far":[[0,0],[0.5,null]],\
            "kept":[4,3],"tar":[[1,0.5],[1,null]],"threshold":[[0.25,0.5],[0.125,null]]}},"pairs":4,"portions":[0,0.25],\
            "positives":2,"verification":{"mean_cosine":{"far":[0.1],"tar":[0.5],"threshold":[0.3]}}}

            """)
        // Read back through the same type: nothing lost.
        let back = FileManager.default.temporaryDirectory.appendingPathComponent("results-\(UUID().uuidString).json")
        try r.file.encoded().write(to: back)
        defer { try? FileManager.default.removeItem(at: back) }
        XCTAssertEqual(try ResultsFile.read(back), r.file)
        try Data("{\"kind\": \"reject\"}".utf8).write(to: back)
        XCTAssertThrowsError(try ResultsFile.read(back)) {
            XCTAssertTrue("\($0)".hasPrefix(back.path + ": not the results.json of a reject or fusion stage (no key"), "\($0)")
        }
        let lines = r.csv.split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 2 * 2)
        XCTAssertEqual(lines[0], "metric,far,portion,kept,tar,real_far,threshold")
        XCTAssertEqual(lines[4], "mean_cosine_mul,0.5,0.25,3,,,")
    }

    // MARK: command line

    private func makeStore(_ dir: URL) throws -> URL { try TestSupport.syntheticStore(dir) }

    func testRejectCommandWritesResultsAndReportsErrors() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let store = try makeStore(dir)
        let pairs = dir.appendingPathComponent("data/pairs.csv").path
        let out = dir.appendingPathComponent("out").path
        var r = try TestSupport.scaleface(["reject", "--store", store.path, "--pairs", pairs, "--strategy", "scale",
                                           "--metrics", "cosine_mean,scale-sqrt-mul-cosine_harmonic-harmonic",
                                           "--fars", "0.05,0.1", "--portions", "0:0.5:11", "--out", out, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))) as! [String: Any]
        XCTAssertEqual(json["kind"] as? String, "reject")
        let metrics = json["metrics"] as! [String: Any]
        XCTAssertEqual(Set(metrics.keys), ["cosine_mean", "scale-sqrt-mul-cosine_harmonic-harmonic"])
        let m = metrics["cosine_mean"] as! [String: Any]
        XCTAssertEqual((m["tar"] as! [[Double]]).count, 2)
        XCTAssertEqual((m["tar"] as! [[Double]])[0].count, 11)
        XCTAssertEqual((m["kept"] as! [Int]).first, json["pairs"] as? Int)
        let csv = try String(contentsOfFile: out + "/results.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 1 + 2 * 2 * 11)
        let figures = TestSupport.entries(URL(fileURLWithPath: out + "/figures"))
        XCTAssertEqual(figures, ["all_far_0.05.png", "all_far_0.1.png", "cosine_mean_reject.png", "cosine_mean_scores.png",
                                 "cosine_mean_uncertainty.png", "scale-sqrt-mul-cosine_harmonic-harmonic_reject.png",
                                 "scale-sqrt-mul-cosine_harmonic-harmonic_scores.png",
                                 "scale-sqrt-mul-cosine_harmonic-harmonic_uncertainty.png"])
        let png = try Data(contentsOf: URL(fileURLWithPath: out + "/figures/cosine_mean_reject.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])

        r = try TestSupport.scaleface(["reject", "--store", store.path, "--pairs", pairs, "--strategy", "scale",
                                       "--metrics", "cosine_avg", "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("unknown pair uncertainty 'avg'") && r.stderr.contains("harmonic-harmonic"), r.stderr)

        r = try TestSupport.scaleface(["reject", "--store", store.path, "--pairs", pairs, "--strategy", "scale",
                                       "--metrics", "cosine_mean", "--fars", "1e-6,0.1", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)   // computed as the reference does, with one warning
        XCTAssertEqual(r.stderr.components(separatedBy: "warning: FAR 1e-06 is below 1/negatives").count, 2, r.stderr)

        let bad = dir.appendingPathComponent("bad.csv")
        try "id00000/img000.png,id00000/img001.png,1\nid00000/img000.png,nobody.png,0\n".write(to: bad, atomically: true, encoding: .utf8)
        r = try TestSupport.scaleface(["reject", "--store", store.path, "--pairs", bad.path, "--strategy", "scale",
                                       "--metrics", "cosine_mean", "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("bad.csv:2:") && r.stderr.contains("'nobody.png' is not in the store"), r.stderr)
    }

    func testFusionCommandInsightFaceLayout() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let store = try makeStore(dir)
        let meta = dir.appendingPathComponent("meta")
        // 20 identities x 3 images: template 2i holds image 0, template 2i+1 images 1 and 2
        var pairsText = try TestSupport.writeInsightFaceTemplates(meta)
        pairsText += "0 999 0\n"
        try pairsText.write(to: meta.appendingPathComponent("ijbc_template_pair_label.txt"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out").path
        var r = try TestSupport.scaleface(["fusion", "--store", store.path, "--protocol", meta.path, "--protocol-format", "insightface",
                                           "--strategy", "scale", "--fusions", "mean_cosine", "--reject-metrics", "mean_cosine_mean",
                                           "--fars", "0.1", "--portions", "0:0.5:3", "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("ijbc_template_pair_label.txt:401:") && r.stderr.contains("template 999"), r.stderr)

        try String(pairsText.dropLast("0 999 0\n".count)).write(to: meta.appendingPathComponent("ijbc_template_pair_label.txt"),
                                                                 atomically: true, encoding: .utf8)
        r = try TestSupport.scaleface(["fusion", "--store", store.path, "--protocol", meta.path, "--protocol-format", "insightface",
                                       "--strategy", "scale", "--fusions", "mean_cosine,media-mean_cosine",
                                       "--reject-metrics", "mean_cosine_mean", "--fars", "0.1", "--portions", "0:0.5:3", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("40 templates, 400 template pairs (20 genuine)"), r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))) as! [String: Any]
        XCTAssertEqual(json["kind"] as? String, "fusion")
        XCTAssertEqual(json["positives"] as? Int, 20)
        XCTAssertEqual(Set((json["verification"] as! [String: Any]).keys), ["mean_cosine", "media-mean_cosine"])

        // flip features equal to the features double every embedding: cosines, hence TARs, stay
        let flipOut = dir.appendingPathComponent("flip").path
        r = try TestSupport.scaleface(["fusion", "--store", store.path, "--protocol", meta.path, "--protocol-format", "insightface",
                                       "--strategy", "scale", "--fusions", "mean_cosine,media-mean_cosine",
                                       "--flip-features", store.path, "--fars", "0.1", "--out", flipOut, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let flipJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: flipOut + "/results.json"))) as! [String: Any]
        let tarOf = { (j: [String: Any]) in ((j["verification"] as! [String: Any])["media-mean_cosine"] as! [String: Any])["tar"] as! [Double] }
        XCTAssertEqual(tarOf(flipJSON), tarOf(json))

        r = try TestSupport.scaleface(["fusion", "--store", store.path, "--protocol", meta.path, "--protocol-format", "insightface",
                                       "--strategy", "scale", "--fusions", "median_cosine", "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("unknown fusion 'median'") && r.stderr.contains("stat-softmax"), r.stderr)

        // the biased-cosine bias: from a validation protocol (here the same folder), printed and
        // in results.json; --bias b is written as given; both together, or neither, are errors
        let biasOut = dir.appendingPathComponent("bias").path
        let biased = ["fusion", "--store", store.path, "--protocol", meta.path, "--protocol-format", "insightface",
                      "--strategy", "scale", "--fusions", "mean_biased-cosine,first_cosine", "--equal-uncertainty-enroll",
                      "--reject-metrics", "mean_scale-mul-biased-cosine_mean", "--fars", "0.1", "--portions", "0:0.5:3",
                      "--out", biasOut]
        r = try TestSupport.scaleface(biased + ["--val-protocol", meta.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("biased-cosine bias of mean from 400 validation template pairs"), r.stderr)
        let biasJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: biasOut + "/results.json"))) as! [String: Any]
        let measured = try XCTUnwrap((biasJSON["bias"] as? [String: Double])?["mean"])
        XCTAssertTrue(measured > -1 && measured < 1, "\(measured)")
        r = try TestSupport.scaleface(biased + ["--bias", "0.26"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let given = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: biasOut + "/results.json"))) as! [String: Any]
        XCTAssertEqual(given["bias"] as? [String: Double], ["mean": 0.26])
        r = try TestSupport.scaleface(biased + ["--bias", "0.26", "--val-protocol", meta.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("either --bias or --val-protocol"), r.stderr)
        r = try TestSupport.scaleface(biased)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--bias b or --val-protocol DIR"), r.stderr)
    }

    func testRejectCommandEDCAndBootstrap() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let store = try makeStore(dir)
        let out = dir.appendingPathComponent("out").path
        let r = try TestSupport.scaleface(["reject", "--store", store.path, "--pairs", dir.appendingPathComponent("data/pairs.csv").path,
                                           "--strategy", "scale", "--metrics", "cosine_mean", "--fars", "0.05,0.1",
                                           "--portions", "0:0.3:4", "--curve", "edc", "--bootstrap", "20", "--seed", "4",
                                           "--out", out, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))) as! [String: Any]
        let m = (json["metrics"] as! [String: Any])["cosine_mean"] as! [String: Any]
        let edc = m["edc"] as! [String: Any]
        let tar = m["tar"] as! [[Double]]
        // the EDC starts from the error of the plain TAR@FAR
        XCTAssertEqual((edc["start_error"] as! [Double])[0], 1 - tar[0][0], accuracy: 1e-12)
        XCTAssertEqual((edc["fnmr"] as! [[Double]])[0][0], 1 - tar[0][0], accuracy: 1e-12)
        XCTAssertEqual(edc["pauc_limit"] as? Double, 0.2)
        let boot = m["bootstrap"] as! [String: Any]
        XCTAssertEqual(boot["replicates"] as? Int, 20)
        let lo = boot["tar_lower"] as! [Double], hi = boot["tar_upper"] as! [Double]
        XCTAssertTrue(lo[0] <= hi[0])
    }

    /// The store refuses non-finite values, but a formula can still give NaN: scale-harmonic
    /// with two zero scales is 0 / 0.
    func testNaNScoreIsAClearError() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let py = try TestSupport.python(packages: ["numpy"])
        let script = """
            import numpy as np, sys
            d = sys.argv[1]
            np.save(d + '/emb.npy', np.random.default_rng(0).normal(size=(4, 8)).astype(np.float32))
            np.save(d + '/u.npy', np.array([1, 0, 3, 0], np.float32))
            open(d + '/paths.txt', 'w').write('a\\nb\\nc\\nd\\n')
            open(d + '/pairs.csv', 'w').write('a,b,1\\nb,d,0\\na,c,0\\nc,d,1\\n')
            """
        let r0 = try TestSupport.run(py, ["-c", script, dir.path])
        XCTAssertEqual(r0.status, 0, r0.stderr)
        var r = try TestSupport.scaleface(["store", "import", "--out", dir.appendingPathComponent("a.h5").path,
                                           "--paths", dir.appendingPathComponent("paths.txt").path,
                                           "--embeddings", dir.appendingPathComponent("emb.npy").path,
                                           "--uncertainty", "s=" + dir.appendingPathComponent("u.npy").path + ":confidence"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try TestSupport.scaleface(["reject", "--store", dir.appendingPathComponent("a.h5").path,
                                       "--pairs", dir.appendingPathComponent("pairs.csv").path, "--strategy", "s",
                                       "--metrics", "scale-harmonic-cosine_mean", "--fars", "0.5",
                                       "--out", dir.appendingPathComponent("o").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("metric scale-harmonic-cosine_mean: score is NaN at pair 1"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/results.json").path))
    }
}
