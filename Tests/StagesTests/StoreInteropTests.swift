import Foundation
import XCTest
import Store

/// scaleface stores against numpy and h5py (installed by tools/pyenv.sh under .build/pyenv).
final class StoreInteropTests: XCTestCase {
    let script = TestSupport.repoRoot.appendingPathComponent("Tests/Interop/store_interop.py").path

    private func python(_ args: [String]) throws -> TestSupport.Result {
        try TestSupport.run(try TestSupport.python(), [script] + args)
    }

    private func importArrays(in dir: URL, to store: URL) throws {
        let r = try TestSupport.scaleface(["store", "import", "--out", store.path,
                                           "--paths", dir.appendingPathComponent("paths.txt").path,
                                           "--embeddings", dir.appendingPathComponent("embeddings.npy").path,
                                           "--uncertainty", "scale=\(dir.appendingPathComponent("scale.npy").path):confidence",
                                           "--uncertainty", "sigma=\(dir.appendingPathComponent("sigma.npy").path)",
                                           "--labels", dir.appendingPathComponent("labels.npy").path,
                                           "--model", "interop"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func testStoreWrittenByScalefaceIsReadByH5py() throws {
        let dir = try TestSupport.scratchDirectory(self)
        XCTAssertEqual(try python(["make-arrays", dir.path, "11"]).status, 0)
        let store = dir.appendingPathComponent("s.h5")
        try importArrays(in: dir, to: store)
        let check = try python(["check-store", store.path, "11"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stdout, "ok\n")
    }

    func testImportThenExportIsBitForBit() throws {
        let dir = try TestSupport.scratchDirectory(self)
        XCTAssertEqual(try python(["make-arrays", dir.path, "5"]).status, 0)
        let store = dir.appendingPathComponent("s.h5")
        try importArrays(in: dir, to: store)
        let out = dir.appendingPathComponent("exported")
        let r = try TestSupport.scaleface(["store", "export", "--store", store.path, "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(TestSupport.entries(out), ["embeddings.npy", "labels.npy", "manifest.json", "paths.txt",
                                                  "uncertainty_scale.npy", "uncertainty_sigma.npy"])
        // [N, D] float32 arrays come back as the very bytes numpy wrote, header included.
        for (input, output) in [("embeddings.npy", "embeddings.npy"), ("sigma.npy", "uncertainty_sigma.npy"),
                                ("labels.npy", "labels.npy"), ("paths.txt", "paths.txt")] {
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent(input)),
                           try Data(contentsOf: out.appendingPathComponent(output)), output)
        }
        // The scalar strategy was given as [N] and is stored (and exported) as [N, 1].
        let given = try NpyFile.readFloats(dir.appendingPathComponent("scale.npy").path)
        let back = try NpyFile.readFloats(out.appendingPathComponent("uncertainty_scale.npy").path)
        XCTAssertEqual(back.shape, [given.shape[0], 1])
        XCTAssertEqual(back.values.map(\.bitPattern), given.values.map(\.bitPattern))
    }

    func testStoreWrittenByH5pyIsReadByScaleface() throws {
        for variant in [[], ["--fixed-strings"]] {
            let dir = try TestSupport.scratchDirectory(self)
            XCTAssertEqual(try python(["make-arrays", dir.path, "3"]).status, 0)
            let store = dir.appendingPathComponent("h5py.h5")
            let w = try python(["write-store", store.path, "3"] + variant)
            XCTAssertEqual(w.status, 0, w.stderr)

            let s = try EmbeddingStore.open(store.path)
            let expectedPaths = try String(contentsOf: dir.appendingPathComponent("paths.txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            XCTAssertEqual(try s.paths(), expectedPaths, "variant \(variant)")
            XCTAssertEqual(try s.embeddings(), try NpyFile.readFloats(dir.appendingPathComponent("embeddings.npy").path).values)
            XCTAssertEqual(try s.uncertainty(named: "scale").values,
                           try NpyFile.readFloats(dir.appendingPathComponent("scale.npy").path).values)
            XCTAssertEqual(try s.strategy(named: "scale").mode, .confidence)
            XCTAssertEqual(try s.uncertainty(named: "sigma").width, 16)
            XCTAssertEqual(try s.uncertainty(named: "sigma").values,
                           try NpyFile.readFloats(dir.appendingPathComponent("sigma.npy").path).values)
            XCTAssertEqual(try s.labels(), try NpyFile.readInt64(dir.appendingPathComponent("labels.npy").path).values)
            XCTAssertEqual(s.bottleneck?.half, true)
            XCTAssertEqual(try s.bottleneckFeatures(),
                           try NpyFile.readFloats(dir.appendingPathComponent("h5py-expected-bottleneck.npy").path).values)
            XCTAssertEqual(s.model, "written by h5py")

            let info = try TestSupport.scaleface(["store", "info", store.path])
            XCTAssertEqual(info.status, 0, info.stderr)
            XCTAssertTrue(info.stdout.contains("status:      complete"))
            XCTAssertTrue(info.stdout.contains("images:      257"))
        }
    }
}

final class StoreMergeTests: XCTestCase {
    private func makeStore(_ path: String, paths: [String], first: Float, model: String = "m") throws {
        let schema = StoreSchema(dimension: 3, model: model, preprocessing: "mean_scale",
                                 strategies: [StrategyInfo(name: "scale", width: 1, mode: .confidence)],
                                 bottleneckWidth: 2, bottleneckHalf: true)
        let w = try EmbeddingStoreWriter.create(at: path, schema: schema, paths: paths, labels: paths.map { _ in 5 })
        let n = paths.count
        try w.append(embeddings: (0..<(3 * n)).map { first + Float($0) }, uncertainties: ["scale": (0..<n).map { first + Float($0) }],
                     bottleneck: [Float](repeating: 0.5, count: 2 * n))
        try w.finish()
    }

    func testShardsJoinInOrder() throws {
        let dir = try TestSupport.scratchDirectory(self)
        let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
        try makeStore(a, paths: ["x", "y"], first: 0)
        try makeStore(b, paths: ["z"], first: 100)
        let out = dir.appendingPathComponent("m.h5").path
        let r = try TestSupport.scaleface(["store", "merge", "--out", out, a, b])
        XCTAssertEqual(r.status, 0, r.stderr)
        let m = try EmbeddingStore.open(out)
        XCTAssertEqual(try m.paths(), ["x", "y", "z"])
        XCTAssertEqual(try m.embeddings(), [0, 1, 2, 3, 4, 5, 100, 101, 102])
        XCTAssertEqual(try m.uncertainty(named: "scale").values, [0, 1, 100])
        XCTAssertEqual(try m.labels(), [5, 5, 5])
        XCTAssertEqual(try m.bottleneckFeatures(), [Float](repeating: 0.5, count: 6))

        try makeStore(dir.appendingPathComponent("c.h5").path, paths: ["z"], first: 0, model: "other")
        let bad = try TestSupport.scaleface(["store", "merge", "--out", dir.appendingPathComponent("n.h5").path, a, dir.appendingPathComponent("c.h5").path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("model differs from \(a)"), bad.stderr)
        let overlap = try TestSupport.scaleface(["store", "merge", "--out", dir.appendingPathComponent("n.h5").path, a, a])
        XCTAssertTrue(overlap.stderr.contains("image 'x' is also in \(a); shards must not overlap"), overlap.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("n.h5").path))
    }
}
