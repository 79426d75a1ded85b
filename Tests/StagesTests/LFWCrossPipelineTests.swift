import Foundation
import XCTest
@testable import Stages
@testable import Datasets
@testable import Pipeline

/// pipelines/lfw.yaml (LFW 10-fold accuracy) and pipelines/cplfw.yaml (cross.py's rule on the
/// CPLFW layout) on synthetic output, sharing one cache: the second pipeline reuses the first's
/// alignment, embedding and distribution.
final class LFWCrossPipelineTests: XCTestCase {
    func testLFWAndCPLFWPipelinesRunOnSynthOutput() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let data = dir.appendingPathComponent("data")
        // 20 test identities: pairs.txt has 10 folds of 12 same and 12 different pairs (docs/synthetic.md).
        try SynthJob(try SynthOptions.parse(["--identities", "40", "--images-per-identity", "4", "--seed", "5",
                                             "--test-fraction", "0.5", "--size", "40", "--raw-size", "56"]))
            .run(out: data.path, quiet: true)
        let lfwHeader = try String(contentsOf: data.appendingPathComponent("pairs.txt"), encoding: .utf8).prefix { $0 != "\n" }
        XCTAssertEqual(lfwHeader, "10 12")
        let (n, positives) = (240, 120)

        let checkpoint = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures/nested_f32.pth").path
        let cache = dir.appendingPathComponent("cache")
        func run(_ name: String, pairs: String) throws -> [String] {
            var pipeline = try PipelineFile.load(
                TestSupport.repoRoot.appendingPathComponent("pipelines/\(name).yaml").path,
                overrides: ["images": data.appendingPathComponent("images").path,
                            "landmarks": data.appendingPathComponent("landmarks.txt").path,
                            "pairs": data.appendingPathComponent(pairs).path,
                            "checkpoint": checkpoint, "arch": "iresnet18", "size": "40"])
            pipeline.cacheDirectory = cache
            pipeline.outputDirectory = dir.appendingPathComponent("out-\(name)")
            var runner = Runner(pipeline: pipeline, registry: StageRegistry.kinds)
            runner.quiet = true
            return try runner.run()
        }
        XCTAssertEqual(try run("lfw", pairs: "pairs.txt"), ["align", "embed", "reject", "distribution", "report"])
        XCTAssertEqual(try run("cplfw", pairs: "pairs_CPLFW.txt"), ["reject", "report"])

        // LFW: 10 folds of 24 pairs, thresholds on numpy.arange(-1, 1, 0.005).
        let lfw = try ResultsFile.read(dir.appendingPathComponent("out-lfw/reject/results.json"))
        XCTAssertEqual(lfw.kind, .reject)
        XCTAssertNil(lfw.farRule)
        XCTAssertEqual([lfw.pairs, lfw.positives], [n, positives])
        XCTAssertEqual(Set(lfw.metrics.keys), ["cosine_mean", "cosine_harmonic-harmonic"])
        let t = try XCTUnwrap(lfw.tenFold)
        XCTAssertEqual(t.foldAccuracy.count, 10)
        XCTAssertEqual(t.threshold.count, 10)
        for a in t.foldAccuracy {
            XCTAssertTrue(a >= 0 && a <= 1, "\(a)")
            XCTAssertEqual(a * 24, (a * 24).rounded(), accuracy: 1e-9, "a fold's accuracy counts 24 pairs")
        }
        for th in t.threshold {
            let i = ((th + 1) / 0.005).rounded()
            XCTAssertTrue(i >= 0 && i < 400, "\(th)")
            XCTAssertEqual(th, -1 + i * 0.005, accuracy: 1e-12)
        }
        let mean = t.foldAccuracy.reduce(0, +) / 10
        XCTAssertEqual(t.mean, mean, accuracy: 1e-12)
        XCTAssertEqual(t.std, (t.foldAccuracy.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 10).squareRoot(), accuracy: 1e-12)
        XCTAssertGreaterThan(t.mean, 0.5, "the fixture network separates synthetic identities better than chance")

        // CPLFW: every pair is a test pair (fewer than 2,000 identities); cross.py's kept counts
        // N - floor(r N) and normalised AUC (trapezoid / largest portion), docs/metrics.md "Cross rule".
        let cross = try ResultsFile.read(dir.appendingPathComponent("out-cplfw/reject/results.json"))
        XCTAssertEqual(cross.farRule, "cross")
        XCTAssertNil(cross.tenFold)
        XCTAssertEqual([cross.pairs, cross.positives], [n, positives])
        XCTAssertEqual(cross.fars, [0.1, 0.01, 0.005])
        XCTAssertEqual(cross.portions.count, 20)
        XCTAssertEqual(Set(cross.metrics.keys), ["cosine_mean", "cosine_harmonic-harmonic", "cosine_min"])
        for (name, m) in cross.metrics {
            XCTAssertEqual(m.kept, (0..<20).map { n - Int(Double($0) * 0.025 * Double(n)) }, name)
            for (f, row) in m.tar.enumerated() {
                let tar = row.compactMap { $0 }
                guard tar.count == 20, let auc = m.auc[f] else { XCTFail("undefined TAR or AUC in \(name)"); continue }
                XCTAssertTrue(tar.allSatisfy { $0 >= 0 && $0 <= 1 }, name)
                var area = 0.0
                for i in 1..<20 { area += (cross.portions[i] - cross.portions[i - 1]) * (tar[i] + tar[i - 1]) / 2 }
                XCTAssertEqual(auc, area / cross.portions.max()!, accuracy: 1e-9, name)
            }
        }
        for name in ["lfw", "cplfw"] {
            let html = try String(contentsOf: dir.appendingPathComponent("out-\(name)/report/index.html"), encoding: .utf8)
            XCTAssertTrue(html.contains("cosine_mean"), name)
            XCTAssertEqual(html.contains("LFW 10-fold accuracy"), name == "lfw", name)
        }

        // The two layouts hold the same pairs in the same order: under one rule they give the same curves.
        let store = dir.appendingPathComponent("out-lfw/embed/store.h5").path
        var same: [ResultsFile] = []
        for (file, format) in [("pairs.txt", "lfw"), ("pairs_CPLFW.txt", "cross")] {
            let out = dir.appendingPathComponent("same-\(format)").path
            let r = try TestSupport.scaleface(["reject", "--store", store, "--pairs", data.appendingPathComponent(file).path,
                                               "--pairs-format", format, "--strategy", "emb_norm", "--metrics", "cosine_mean",
                                               "--fars", "0.1", "--portions", "0:0.5:5", "--ten-fold", "--out", out, "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            same.append(try ResultsFile.read(URL(fileURLWithPath: out + "/results.json")))
        }
        XCTAssertEqual(same[0], same[1])
    }
}
