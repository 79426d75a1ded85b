import Analysis
import Foundation
import XCTest
import Core
@testable import Stages
@testable import Datasets
@testable import Pipeline

/// IJB-B's InsightFace layout, IJB-A's 10 splits (against tools/golden/ijba_folds_golden.py)
/// and the ijbb / ijba pipelines on synthetic output.
final class IJBProtocolTests: XCTestCase {
    private func write(_ dir: URL, _ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testIJBBInsightFaceLayout() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let index = ImageKeyIndex(paths: ["loose_crop/1.jpg", "loose_crop/2.jpg", "loose_crop/3.jpg"])
        _ = try write(dir, "ijbb_face_tid_mid.txt", "1.jpg 10 100\n2.jpg 10 101\n3.jpg 20 102\n4.jpg 30 103\n")
        _ = try write(dir, "ijbb_template_pair_label.txt", "10 20 0\n10 10 1\n30 20 0\n")
        let p = try readTemplateProtocol(directory: dir.path, format: .insightfaceIJBB, index: index)
        XCTAssertEqual(p.templateIDs, [10, 20])
        XCTAssertEqual(p.members.offsets, [0, 2, 3])
        XCTAssertEqual(p.pairs.labels, [false, true])
        XCTAssertEqual(p.droppedTemplates, 1)
        XCTAssertEqual(p.droppedPairs, 1)
        XCTAssertNil(p.subjects)
        XCTAssertThrowsError(try readTemplateProtocol(directory: dir.path, format: .insightface, index: index)) {
            XCTAssertTrue("\($0)".contains("ijbc_face_tid_mid.txt: no such file"), "\($0)")
        }
        XCTAssertEqual(TemplateProtocolFormat(rawValue: "insightface-ijbb"), .insightfaceIJBB)
    }

    /// Runs, first-row labels, the later run of an id, extension-free matching, dropped empty
    /// templates, and the errors.
    func testIJBAFoldReaderQuirks() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let index = ImageKeyIndex(paths: ["1/img_1.png", "1/img_2.png", "2/img_3.png", "2/frame_4.png"])
        let meta = try write(dir, "meta.csv", """
            TEMPLATE_ID,SUBJECT_ID,FILE,MEDIA_ID,SIGHTING_ID
            5,1,img/1.jpg,m1,1
            5,1,img/2.jpg,m1,2
            6,2,img/3.jpg,m2,3
            6,1,frame/5.jpg,m3,4
            7,2,frame/9.jpg,m3,5
            5,1,img/2.jpg,m1,2
            """)
        let pairs = try write(dir, "pairs.csv", "5,6\n6,7\n5,5\n")
        let t = try ijbaProtocol(try readIJBATemplates(meta, index: index), comparisons: pairs)
        XCTAssertEqual(t.templateIDs, [5, 6])
        XCTAssertEqual(t.members.members, [1, 2])            // template 5 is its second run: img/2 only
        XCTAssertEqual(t.members.offsets, [0, 1, 2])         // 6: frame/5 is not stored
        XCTAssertEqual(t.pairs.left, [0, 0])
        XCTAssertEqual(t.pairs.right, [1, 0])
        XCTAssertEqual(t.pairs.labels, [false, true])
        XCTAssertEqual(t.subjects, [1, 2])
        XCTAssertEqual(t.droppedTemplates, 1)
        XCTAssertEqual(t.droppedPairs, 1)
        XCTAssertEqual(t.missingImages, 2)

        let unknown = try write(dir, "unknown.csv", "5,6\n5,8\n")
        XCTAssertThrowsError(try ijbaProtocol(try readIJBATemplates(meta, index: index), comparisons: unknown)) {
            XCTAssertTrue("\($0)".contains("unknown.csv:2:") && "\($0)".contains("template 8 is not in"), "\($0)")
        }
        let headless = try write(dir, "headless.csv", "5,1,img/1.jpg,m1\n")
        XCTAssertThrowsError(try readIJBATemplates(headless, index: index)) {
            XCTAssertTrue("\($0)".contains("headless.csv:1:") && "\($0)".contains("header"), "\($0)")
        }
        XCTAssertThrowsError(try readIJBAFolds(directory: dir.path, index: index)) {
            XCTAssertTrue("\($0)".contains("split1/train_1.csv: no such file"), "\($0)")
        }
    }

    func testIJBAFoldsMatchGolden() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let fx = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/ijba")
        let store = dir.appendingPathComponent("ijba.h5").path
        var r = try TestSupport.scaleface(["store", "import", "--out", store, "--paths", fx.appendingPathComponent("paths.txt").path,
                                           "--embeddings", fx.appendingPathComponent("embeddings.npy").path,
                                           "--uncertainty", "scale=" + fx.appendingPathComponent("confidence.npy").path + ":confidence"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = dir.appendingPathComponent("out").path
        r = try TestSupport.scaleface(["fusion", "--store", store, "--protocol", fx.path, "--protocol-format", "ijba",
                                       "--strategy", "scale", "--fusions", "mean_cosine", "--fars", "0.01,0.1", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("IJB-A fold 10:") && r.stderr.contains("dropped 1 templates without stored images"), r.stderr)

        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: fx.appendingPathComponent("expected.json"))) as! [String: Any]
        let summary = try JSONDecoder().decode(IJBAFoldSummary.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/folds.json")))
        XCTAssertEqual(summary.folds, Array(1...10))
        XCTAssertEqual(summary.pairs, expected["pairs"] as? [Int])
        XCTAssertEqual(summary.positives, expected["positives"] as? [Int])
        let m = try XCTUnwrap(summary.verification["mean_cosine"])
        func close(_ a: [[Double]], _ key: String, _ tol: Double) {
            let e = expected[key] as! [[Double]]
            XCTAssertEqual(a.count, e.count, key)
            for (x, y) in zip(a.joined(), e.joined()) { XCTAssertEqual(x, y, accuracy: tol, key) }
        }
        close(m.tar, "tar", 1e-12)
        close(m.far, "far", 1e-12)
        close(m.threshold, "threshold", 1e-6)   // float32 scores summed in another order
        for (key, v) in [("tar_mean", m.tarMean), ("tar_std", m.tarStd), ("far_mean", m.farMean)] {
            let e = expected[key] as! [Double]
            for (x, y) in zip(v, e) { XCTAssertEqual(x, y, accuracy: 1e-12, key) }
        }
        // results.json carries the fold means for the report
        let results = try ResultsFile.read(URL(fileURLWithPath: out + "/results.json"))
        XCTAssertEqual(results.verification?["mean_cosine"]?.tar.compactMap { $0 }, m.tarMean)
        let csv = try String(contentsOfFile: out + "/folds.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 1 + 2 * 12)

        r = try TestSupport.scaleface(["fusion", "--store", store, "--protocol", fx.path, "--protocol-format", "ijba",
                                       "--strategy", "scale", "--fusions", "mean_cosine", "--reject-metrics", "mean_cosine_mean",
                                       "--fars", "0.1", "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("not averaged over folds"), r.stderr)
    }

    func testIJBBAndIJBAPipelinesRunOnSynthOutput() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let data = dir.appendingPathComponent("data")
        try SynthJob(try SynthOptions.parse(["--identities", "12", "--images-per-identity", "4", "--seed", "3",
                                             "--test-fraction", "0.5", "--size", "40", "--raw-size", "56", "--aligned"]))
            .run(out: data.path, quiet: true)
        let protocolDir = data.appendingPathComponent("protocol")
        XCTAssertEqual(try Data(contentsOf: protocolDir.appendingPathComponent("ijbb/ijbb_template_pair_label.txt")),
                       try Data(contentsOf: protocolDir.appendingPathComponent("insightface/ijbc_template_pair_label.txt")))
        for k in 1...10 {
            let split = protocolDir.appendingPathComponent("ijba/IJB-A_11_sets/split\(k)")
            XCTAssertEqual(TestSupport.entries(split), ["train_\(k).csv", "verify_comparisons_\(k).csv", "verify_metadata_\(k).csv"])
        }
        let checkpoint = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures/nested_f32.pth").path
        let common = ["checkpoint": checkpoint, "arch": "iresnet18", "size": "40", "fars": "0.1"]
        for (name, overrides, stages) in [
            ("ijbb", ["images": data.appendingPathComponent("images").path,
                      "meta": protocolDir.appendingPathComponent("ijbb").path],
             ["align", "embed", "fusion", "distribution", "report"]),
            ("ijba", ["images": data.appendingPathComponent("aligned").path, "list": data.appendingPathComponent("paths.txt").path,
                      "protocols": protocolDir.appendingPathComponent("ijba").path],
             ["embed", "fusion", "distribution", "report"]),
        ] {
            var pipeline = try PipelineFile.load(TestSupport.repoRoot.appendingPathComponent("pipelines/\(name).yaml").path,
                                                 overrides: overrides.merging(common) { a, _ in a })
            pipeline.cacheDirectory = dir.appendingPathComponent("cache-\(name)")
            pipeline.outputDirectory = dir.appendingPathComponent("out-\(name)")
            var runner = Runner(pipeline: pipeline, registry: StageRegistry.kinds)
            runner.quiet = true
            XCTAssertEqual(try runner.run(), stages, name)
            let results = try ResultsFile.read(dir.appendingPathComponent("out-\(name)/fusion/results.json"))
            XCTAssertEqual(results.kind, .fusion, name)
            XCTAssertEqual(Set(results.verification?.keys.map { $0 } ?? []), ["mean_cosine", "media-mean_cosine", "first_cosine"], name)
            if name == "ijbb" {
                let labels = try String(contentsOf: protocolDir.appendingPathComponent("ijbb/ijbb_template_pair_label.txt"), encoding: .utf8)
                XCTAssertEqual(results.positives, labels.split(separator: "\n").filter { $0.hasSuffix(" 1") }.count)
            } else {
                let folds = try JSONDecoder().decode(IJBAFoldSummary.self,
                                                     from: Data(contentsOf: dir.appendingPathComponent("out-ijba/fusion/folds.json")))
                XCTAssertEqual(folds.folds.count, 10)
                XCTAssertEqual(results.pairs, folds.pairs.reduce(0, +))
            }
        }
    }
}
