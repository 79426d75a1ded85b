import Backbone
import Foundation
import XCTest
import Stages
import Store
import Core
@testable import Imaging
@testable import Figures
@testable import Datasets
@testable import Pipeline
@testable import Checkpoint
@testable import Training

/// train-head and heads on a small synthetic store: identities whose embeddings are a
/// direction plus per-image noise q, with bottleneck features that carry q.
final class TrainHeadTests: XCTestCase {
    static let f = 20, d = 12, classes = 6, perClass = 20

    /// Writes the store and returns the per-image noise levels.
    @discardableResult
    static func makeStore(_ path: String, half: Bool = false, labels withLabels: Bool = true,
                          bottleneck: Bool = true) throws -> [Double] {
        var random = SplitMix64(seed: 21)
        let directions = (0..<(classes * d)).map { _ in random.normal() }
        var e: [Float] = [], b: [Float] = [], labels: [Int64] = [], noise: [Double] = []
        for c in 0..<classes {
            for _ in 0..<perClass {
                let q = random.uniform() * 1.5
                var v = (0..<d).map { directions[c * d + $0] + q * random.normal() }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                v = v.map { $0 / norm * 20 }   // stored embeddings are not normalised
                e += v.map { Float($0) }
                b += v.map { Float($0 / 10) } + [Float(2 * q)] + (0..<(f - d - 1)).map { _ in Float(random.normal()) }
                labels.append(Int64(100 + 7 * c))
                noise.append(q)
            }
        }
        let n = labels.count
        let schema = StoreSchema(dimension: d, model: "synthetic", preprocessing: "none",
                                 strategies: [StrategyInfo(name: "emb_norm", width: 1, mode: .confidence)],
                                 bottleneckWidth: bottleneck ? f : nil, bottleneckHalf: half)
        let w = try EmbeddingStoreWriter.create(at: path, schema: schema, paths: (0..<n).map { "img\($0).png" },
                                                labels: withLabels ? labels : nil)
        try w.append(embeddings: e, uncertainties: ["emb_norm": [Float](repeating: 20, count: n)],
                     bottleneck: bottleneck ? b : nil)
        try w.finish()
        return noise
    }

    func testScaleHeadTrainsSavesAndReappliesExactly() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let storePath = dir.appendingPathComponent("s.h5").path
        let noise = try Self.makeStore(storePath)
        var stage = try JobFactories.trainHead(store: storePath, kind: .scale, schedule: TrainingSchedule(epochs: 15, batchSize: 24, learningRate: 0.05, seed: 3), output: dir.appendingPathComponent("scale").path)
        stage.options.hidden = [16]
        let result = try stage.run()
        for p in [stage.checkpointPath, stage.weightsPath, stage.plotPath] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: p), p)
        }
        XCTAssertEqual(result.centers?.shape, [Self.classes, Self.d])
        XCTAssertEqual(result.lossPerEpoch.count, 15)
        XCTAssertLessThan(result.lossPerEpoch.last!, result.lossPerEpoch.first!)
        // Noisier images get smaller scales.
        XCTAssertLessThan(spearman(result.outputs.map(Double.init), noise), -0.5)

        // heads with the .pth and with the .h5 reproduce the trainer's eval-mode outputs.
        for checkpoint in [stage.checkpointPath, stage.weightsPath] {
            let out = dir.appendingPathComponent("with-scale-\(URL(fileURLWithPath: checkpoint).pathExtension).h5").path
            var heads = try JobFactories.heads(store: storePath, checkpoints: [checkpoint], strategies: [.scale], output: out)
                        heads.chunkRows = 50
            try heads.run()
            let s = try EmbeddingStore.open(out)
            XCTAssertEqual(s.strategies.map(\.name).sorted(), ["emb_norm", "scale"])
            let u = try s.uncertainty(named: "scale")
            XCTAssertEqual(u.mode, .confidence)
            assertRelativelyClose(u.values, result.outputs, 1e-5, checkpoint)
            // The rest of the store is copied unchanged.
            let original = try EmbeddingStore.open(storePath)
            XCTAssertEqual(try s.embeddings(), try original.embeddings())
            XCTAssertEqual(try s.labels(), try original.labels())
            XCTAssertEqual(try s.paths(), try original.paths())
            XCTAssertEqual(try s.bottleneckFeatures(), try original.bottleneckFeatures())
            XCTAssertEqual(try s.uncertainty(named: "emb_norm").values, try original.uncertainty(named: "emb_norm").values)
            XCTAssertEqual(s.model, original.model)
        }

        // The saved centres can be given back: training against them is reproducible.
        var again = stage
        again.options.centers = InputFile(path: stage.checkpointPath)
        again.output = dir.appendingPathComponent("scale2").path
        let second = try again.run()
        XCTAssertEqual(second.weights["mlp.0.weight"], result.weights["mlp.0.weight"])
    }

    func testPFEHeadTrainsSavesAndReappliesExactly() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let storePath = dir.appendingPathComponent("s.h5").path
        let noise = try Self.makeStore(storePath, half: true)
        var stage = try JobFactories.trainHead(store: storePath, kind: .pfe, schedule: TrainingSchedule(epochs: 40, batchSize: 24, learningRate: 0.01, seed: 3), output: dir.appendingPathComponent("pfe.pth").path)
        stage.options.hidden = [16]
        let result = try stage.run()
        XCTAssertEqual(stage.checkpointPath, dir.appendingPathComponent("pfe.pth").path)
        XCTAssertEqual(result.outputWidth, Self.d)
        let meanLogSigma = (0..<noise.count).map { i in (0..<Self.d).reduce(0.0) { $0 + Double(result.outputs[i * Self.d + $1]) } }
        XCTAssertGreaterThan(spearman(meanLogSigma, noise), 0.5)

        let heads = try JobFactories.heads(store: storePath, checkpoints: [stage.checkpointPath], strategies: [.head], output: storePath)
                try heads.run()   // replaces the input store
        let s = try EmbeddingStore.open(storePath)
        let u = try s.uncertainty(named: "head")
        XCTAssertEqual(u.mode, .uncertainty)
        XCTAssertEqual(u.width, Self.d)
        assertRelativelyClose(u.values, result.outputs.map { Foundation.exp($0) }, 1e-5, "sigma^2")
        XCTAssertEqual(s.bottleneck?.half, true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: storePath + ".partial"))
    }

    func testEmbeddingLayerKindSavesBackboneSectionAndCenters() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let storePath = dir.appendingPathComponent("s.h5").path
        try Self.makeStore(storePath)
        var stage = try JobFactories.trainHead(store: storePath, kind: .embedding, schedule: TrainingSchedule(epochs: 3, batchSize: 24, learningRate: 0.05, seed: 3), output: dir.appendingPathComponent("emb").path)
        stage.options.embeddingSize = 8
        try stage.run()
        let w = try Checkpoint.load(path: stage.checkpointPath)
        XCTAssertEqual(w.names, ["backbone.fc.weight", "backbone.fc.bias", "backbone.features.weight", "backbone.features.bias",
                                 "backbone.features.running_mean", "backbone.features.running_var",
                                 "backbone.features.num_batches_tracked", "centers"])
        XCTAssertEqual(w["backbone.fc.weight"]?.shape, [8, Self.f])
        XCTAssertEqual(w["centers"]?.shape, [Self.classes, 8])
        XCTAssertEqual(w["backbone.features.num_batches_tracked"]?.values, [15])   // 3 epochs x 5 batches of 24

        // heads --embedding-layer: new /embeddings as the trainer computed them, emb_norm from them.
        let result = try stage.run()
        let out = dir.appendingPathComponent("embedded.h5").path
        var heads = try JobFactories.heads(store: storePath, checkpoints: [stage.weightsPath], strategies: [], output: out)
        heads.options.embeddingLayer = true
                try heads.run()
        let s = try EmbeddingStore.open(out)
        XCTAssertEqual(s.dimension, 8)
        assertRelativelyClose(try s.embeddings(), result.outputs, 1e-5, "embeddings")
        let norms = (0..<s.count).map { r in (0..<8).reduce(Float(0)) { $0 + result.outputs[r * 8 + $1] * result.outputs[r * 8 + $1] }.squareRoot() }
        assertRelativelyClose(try s.uncertainty(named: "emb_norm").values, norms, 1e-5, "emb_norm")
    }

    func testProbFaceAndAdjustableHeadsSaveTheReferenceKeys() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let storePath = dir.appendingPathComponent("s.h5").path
        let noise = try Self.makeStore(storePath)
        for (head, loss, lr) in [("prob", "prob", 0.001), ("pfe-adjustable", "mls", 0.01)] {
            let schedule = TrainingSchedule(epochs: 30, batchSize: 24, learningRate: lr, seed: 3)
            var stage = try JobFactories.trainHead(store: storePath, kind: .pfe, schedule: schedule,
                                                   output: dir.appendingPathComponent(head).path, ["--head", head, "--loss", loss])
            stage.options.hidden = [16]
            let result = try stage.run()
            let w = try Checkpoint.load(path: stage.checkpointPath)
            let width = head == "prob" ? 1 : Self.d
            XCTAssertEqual(result.outputWidth, width)
            let names = head == "prob" ? ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"] : ["fc1", "fc2"]
            XCTAssertEqual(Set(w.names), Set((names + ["bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                                                       "bn1.num_batches_tracked", "bn2.running_mean", "bn2.running_var",
                                                       "bn2.num_batches_tracked", "gamma", "beta"]).map { "head.\($0)" }), head)
            XCTAssertEqual(w[head == "prob" ? "head.fc2.weight" : "head.fc2"]?.shape, [width, head == "prob" ? 16 : Self.d])
            let mean = (0..<noise.count).map { i in (0..<width).reduce(0.0) { $0 + Double(result.outputs[i * width + $1]) } }
            XCTAssertGreaterThan(spearman(mean, noise), 0.5, head)
        }
    }

    func testPairClassifierKindSavesASectionThePairClassifierLoads() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let storePath = dir.appendingPathComponent("s.h5").path
        try Self.makeStore(storePath, bottleneck: false)   // pair classifiers need no bottleneck
        let schedule = TrainingSchedule(epochs: 60, batchSize: 3, learningRate: 0.05, seed: 3)
        for classifier in ["smart_cosine", "bilinear", "mlp"] {
            let stage = try JobFactories.trainHead(store: storePath, kind: .pairClassifier, schedule: schedule,
                                                   output: dir.appendingPathComponent(classifier).path,
                                                   ["--classifier", classifier, "--hidden", "8"])
            let result = try stage.run()
            XCTAssertEqual(result.lossPerEpoch.count, 60)
            for path in [stage.checkpointPath, stage.weightsPath] {
                let loaded = try PairClassifier(weights: try WeightsFile.load(path: path))
                XCTAssertEqual(loaded.kind, classifier, path)
                XCTAssertEqual(loaded.dimension, Self.d)
            }
            XCTAssertTrue(try Checkpoint.load(path: stage.checkpointPath).names.allSatisfy { $0.hasPrefix("pair_classifier.") })
        }
        // Too few identities for one batch: a one-line error naming the store.
        let big = try JobFactories.trainHead(store: storePath, kind: .pairClassifier, schedule: TrainingSchedule(epochs: 1, batchSize: 8, learningRate: 0.01),
                                             output: dir.appendingPathComponent("x").path)
        XCTAssertThrowsError(try big.run()) { e in
            XCTAssertTrue(String(describing: e).contains("s.h5: gives 6 pair(s) per epoch"), String(describing: e))
        }
        // A loss of another kind is refused when parsed.
        XCTAssertThrowsError(try JobFactories.trainHead(store: storePath, kind: .pfe, schedule: schedule, output: "x", ["--loss", "angle"])) { e in
            XCTAssertTrue(TrainHeadOptions.message(for: e).contains("--loss angle does not apply to --kind pfe"), "\(e)")
        }
        XCTAssertThrowsError(try JobFactories.trainHead(store: storePath, kind: .embedding, schedule: schedule, output: "x",
                                                        ["--loss", "angle", "--margin", "2.5"])) { e in
            XCTAssertTrue(TrainHeadOptions.message(for: e).contains("integer in 0...5"), "\(e)")
        }
    }

    func testBadInputsGetOneLineErrorsNamingTheFile() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let noBottleneck = dir.appendingPathComponent("nb.h5").path
        try Self.makeStore(noBottleneck, bottleneck: false)
        let noLabels = dir.appendingPathComponent("nl.h5").path
        try Self.makeStore(noLabels, labels: false)
        func expect(_ stage: TrainHeadJob, _ text: String, line: UInt = #line) {
            XCTAssertThrowsError(try stage.run(), line: line) { e in
                XCTAssertTrue(String(describing: e).contains(text), String(describing: e), line: line)
            }
        }
        let schedule = TrainingSchedule(epochs: 1, batchSize: 8, learningRate: 0.01)
        let out = dir.appendingPathComponent("o").path
        expect(try! JobFactories.trainHead(store: noBottleneck, kind: .scale, schedule: schedule, output: out), "nb.h5: store has no /bottleneck")
        expect(try! JobFactories.trainHead(store: noLabels, kind: .pfe, schedule: schedule, output: out), "nl.h5: store has no /images/label")
        var tooSmall = schedule
        tooSmall.batchSize = 1
        XCTAssertThrowsError(try JobFactories.trainHead(store: noLabels, kind: .scale, schedule: tooSmall, output: out)) { e in
            XCTAssertTrue(TrainHeadOptions.message(for: e).contains("the batch must hold at least 2 images"), "\(e)")
        }
        // Centres of the wrong shape.
        let good = dir.appendingPathComponent("g.h5").path
        try Self.makeStore(good)
        let centers = dir.appendingPathComponent("c.pth").path
        try CheckpointWriter.write(.dict([("centers", .float32(Tensor(shape: [5, Self.d], values: [Float](repeating: 1, count: 5 * Self.d))))]), to: centers)
        var withCenters = try JobFactories.trainHead(store: good, kind: .scale, schedule: schedule, output: out)
        withCenters.options.centers = InputFile(path: centers)
        expect(withCenters, "c.pth: tensor 'centers' is [5, 12], expected the class centres [6, 12]")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".pth"))
        // heads: a checkpoint without the needed section.
        let heads = try JobFactories.heads(store: good, checkpoints: [centers], strategies: [.head], output: dir.appendingPathComponent("x.h5").path)
                XCTAssertThrowsError(try heads.run()) { e in
            XCTAssertTrue(String(describing: e).contains("c.pth: no 'head' section"), String(describing: e))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.h5").path))
    }

    func assertRelativelyClose(_ a: [Float], _ e: [Float], _ tolerance: Float, _ what: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, e.count, what, file: file, line: line)
        let worst = zip(a, e).map { abs($0 - $1) / max(abs($1), 1e-12) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, tolerance, "\(what): max relative error \(worst)", file: file, line: line)
    }

    func spearman(_ a: [Double], _ b: [Double]) -> Double {
        func ranks(_ x: [Double]) -> [Double] {
            var r = [Double](repeating: 0, count: x.count)
            for (rank, i) in x.indices.sorted(by: { x[$0] < x[$1] }).enumerated() { r[i] = Double(rank) }
            return r
        }
        let ra = ranks(a), rb = ranks(b), n = Double(a.count)
        return 1 - 6 * zip(ra, rb).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (n * (n * n - 1))
    }
}
