import Foundation
import XCTest
@testable import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// Every image-side stage kind in one small pipeline: generated faces are aligned, embedded
/// by the parity-fixture network (40 x 40 input) with bottleneck features and labels, a
/// scale head is trained on the train split and applied, and the test pairs are evaluated.
final class PipelineEndToEndTests: XCTestCase {
    func testImagesToReport() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let checkpoint = TestSupport.repoRoot.appendingPathComponent("Tests/BackboneTests/Fixtures/nested_f32.pth").path
        let text = """
        name: e2e
        outputs: out
        stages:
          faces:
            kind: synth
            params: {identities: 10, images_per_identity: 4, seed: 3}
          aligned:
            kind: align
            inputs: {images: faces}
            params: {size: 40}
          embed:
            kind: embed
            inputs: {images: aligned, labels: faces}
            params: {checkpoint: "\(checkpoint)", arch: iresnet18, input_size: 40, keep_bottleneck: true,
                     labels: labels.npy, strategies: [emb_norm], batch: 4}
          scale_head:
            kind: train-head
            inputs: {store: embed, split: faces}
            params: {kind: scale, epochs: 2, batch: 8, lr: 0.01, subset: splits/train.txt, center_epochs: 1}
          heads:
            kind: heads
            inputs: {store: embed, head: scale_head}
            params: {strategies: [scale]}
          reject:
            kind: reject
            inputs: {store: heads, pairs: faces}
            params: {strategy: scale, metrics: [cosine_mean, scale-mul-cosine_mean], fars: [0.1], portions: "0:0.5:5"}
          distribution:
            kind: distribution
            inputs: {store: heads}
          report:
            kind: report
            inputs: {store: heads, head: scale_head, reject: reject, distribution: distribution}
        """
        let path = dir.appendingPathComponent("p.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var runner = Runner(pipeline: try PipelineFile.load(path), registry: StageRegistry.kinds)
        runner.quiet = true
        XCTAssertEqual(try runner.run(), ["faces", "aligned", "embed", "scale_head", "heads", "reject", "distribution", "report"])

        let store = try EmbeddingStore.open(dir.appendingPathComponent("out/heads/store.h5").path)
        XCTAssertEqual(store.count, 40)
        XCTAssertEqual(store.strategies.map(\.name).sorted(), ["emb_norm", "scale"])
        XCTAssertEqual(try store.strategy(named: "scale").mode, .confidence)
        XCTAssertEqual(Set(try store.labels() ?? []).count, 10)
        XCTAssertTrue(try store.uncertainty(named: "scale").values.allSatisfy { $0 > 0 && $0.isFinite }, "exp activation")
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/reject/results.json"))) as? [String: Any]
        XCTAssertEqual(results?["kind"] as? String, "reject")
        let html = try String(contentsOf: dir.appendingPathComponent("out/report/index.html"), encoding: .utf8)
        for ref in ReportLinks.references(in: html) where !ref.hasPrefix("#") {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/report").appendingPathComponent(ref).path), ref)
        }
        XCTAssertTrue(html.contains("head/head-loss.png"))

        // A metric change reruns reject and report only.
        try text.replacingOccurrences(of: "scale-mul-cosine_mean]", with: "scale-harmonic-cosine_mean]")
            .write(toFile: path, atomically: true, encoding: .utf8)
        var again = Runner(pipeline: try PipelineFile.load(path), registry: StageRegistry.kinds)
        again.quiet = true
        XCTAssertEqual(try again.run(), ["reject", "report"])
    }
}
