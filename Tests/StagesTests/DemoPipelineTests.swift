import Foundation
import XCTest
@testable import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline

/// The demo's wiring at toy size (pipelines/demo.yaml runs the same stages at full size):
/// a generated trunk (`init-weights`) feeds `embed` through its `model` input, the embedding
/// layer trains on `train_a` and its centres feed the scale head on `train_b`, reject runs for
/// a stored strategy and the `random` baseline, and the scorecard and report show the result.
final class DemoPipelineTests: XCTestCase {
    func testToyDemoRunsEveryStageAndReportsTheScorecard() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let text = """
        name: toy
        outputs: out
        stages:
          data:
            kind: synth
            params: {identities: 12, images_per_identity: 4, seed: 5, test_fraction: 0.5}
          trunk:
            kind: init-weights
            params: {arch: iresnet18, widths: "4,8,8,16", input_size: 32, embedding_size: 16, seed: 2}
          features:
            kind: embed
            inputs: {images: data, model: trunk}
            params: {images: images, landmarks: landmarks.txt, labels: labels.npy, arch: iresnet18, input_size: 32,
                     keep_bottleneck: true, strategies: [emb_norm], batch: 8}
          embedding_layer:
            kind: train-head
            inputs: {store: features, split: data}
            params: {kind: embedding, subset: splits/train_a.txt, epochs: 2, batch: 6, lr: 0.05, whiten: 8, embedding_size: 16}
          embeddings:
            kind: heads
            inputs: {store: features, head: embedding_layer}
            params: {embedding_layer: true, strategies: [emb_norm]}
          scale_head:
            kind: train-head
            inputs: {store: embeddings, split: data, centers: embedding_layer}
            params: {kind: scale, subset: splits/train_b.txt, epochs: 2, batch: 6, lr: 0.0003}
          store:
            kind: heads
            inputs: {store: embeddings, head: scale_head}
            params: {strategies: [scale]}
          reject_scale:
            kind: reject
            inputs: {store: store, pairs: data}
            params: {strategy: scale, metrics: [cosine_mul], fars: [0.1], portions: "0:0.5:6"}
          reject_random:
            kind: reject
            inputs: {store: store, pairs: data}
            params: {strategy: random, metrics: [cosine_mul], fars: [0.1], portions: "0:0.5:6", seed: 1}
          scorecard:
            kind: scorecard
            inputs: {reject_scale: reject_scale, reject_random: reject_random, store: store, covariates: data}
            params: {far: 0.1, metric: cosine_mul, method: reject_scale, baseline: reject_random, subset: splits/test.txt}
          distribution:
            kind: distribution
            inputs: {store: store, images: data}
          report:
            kind: report
            inputs: {scorecard: scorecard, reject: reject_scale, distribution: distribution}
        """
        let path = dir.appendingPathComponent("toy.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var runner = Runner(pipeline: try PipelineFile.load(path), registry: StageRegistry.kinds)
        runner.quiet = true
        XCTAssertEqual(try runner.run().count, 12)
        let out = dir.appendingPathComponent("out")

        // The embedding layer replaced the trunk's random fc: new embeddings, same bottleneck.
        let features = try EmbeddingStore.open(out.appendingPathComponent("features/store.h5").path)
        let store = try EmbeddingStore.open(out.appendingPathComponent("store/store.h5").path)
        XCTAssertEqual(store.count, 48)
        XCTAssertEqual(store.strategies.map(\.name).sorted(), ["emb_norm", "scale"])
        XCTAssertNotEqual(try store.embeddings(), try features.embeddings())
        XCTAssertEqual(try store.bottleneckFeatures(), try features.bottleneckFeatures())

        let card = try JSONDecoder().decode(Scorecard.self, from: Data(contentsOf: out.appendingPathComponent("scorecard/scorecard.json")))
        XCTAssertEqual(card.curves.map(\.strategy), ["scale", "random"])
        XCTAssertEqual(card.curves[0].tarNoneRejected, card.curves[1].tarNoneRejected, "nothing rejected: the same pairs")
        XCTAssertEqual(card.checks.count, 3)
        XCTAssertEqual(card.correlations.first { $0.strategy == "scale" }?.images, 24, "the test split's pictures")

        let html = try String(contentsOf: out.appendingPathComponent("report/index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<h3>Checks</h3>"))
        XCTAssertTrue(html.contains("scorecard/figures/reject_far_0.1.png"))
        XCTAssertTrue(html.contains("distribution/scale_deciles.png"), "the decile grids found the pictures through the images input")
        for ref in ReportLinks.references(in: html) where !ref.hasPrefix("#") {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("report").appendingPathComponent(ref).path), ref)
        }

        // Nothing changed: nothing runs.
        var again = Runner(pipeline: try PipelineFile.load(path), registry: StageRegistry.kinds)
        again.quiet = true
        XCTAssertEqual(try again.run(), [])
    }
}
