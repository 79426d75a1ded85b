import XCTest
@testable import Store

final class EmbeddingStoreTests: XCTestCase {
    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Values whose exact float32 bit patterns are known without running the writer.
    private func rows(_ n: Int, _ d: Int, offset: Int = 0) -> [Float] {
        (0..<(n * d)).map { Float($0 + offset) * 0.25 - 3 }
    }

    private let schema = StoreSchema(dimension: 4, model: "unit-test", preprocessing: "mean_scale",
                                     strategies: [StrategyInfo(name: "scale", width: 1, mode: .confidence),
                                                  StrategyInfo(name: "head", width: 3, mode: .uncertainty)],
                                     bottleneckWidth: 2, bottleneckHalf: true)

    private func batch(_ start: Int, _ n: Int) -> ([Float], [String: [Float]], [Float]) {
        (rows(n, 4, offset: start * 4),
         ["scale": (0..<n).map { Float(start + $0) + 0.5 }, "head": rows(n, 3, offset: start * 3 + 1000)],
         (0..<(2 * n)).map { _ in 0.1 })
    }

    func testWriteAndReadBack() throws {
        let dir = try scratch()
        let path = dir.appendingPathComponent("s.h5").path
        let paths = ["a/ü.png", "b/1.png", "c/2.png", "d/3.png", "e/4.png"]
        let w = try EmbeddingStoreWriter.create(at: path, schema: schema, paths: paths, labels: [7, 7, 8, 9, 9])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "only the .partial exists while writing")
        for (start, n) in [(0, 2), (2, 3)] {
            let (e, u, b) = batch(start, n)
            try w.append(embeddings: e, uncertainties: u, bottleneck: b)
        }
        try w.finish()
        XCTAssertEqual(TestFiles.list(dir), ["s.h5"])

        let s = try EmbeddingStore.open(path)
        XCTAssertTrue(s.isComplete)
        XCTAssertEqual(s.count, 5)
        XCTAssertEqual(s.dimension, 4)
        XCTAssertEqual(try s.paths(), paths)
        XCTAssertEqual(try s.embeddings(), rows(5, 4))
        XCTAssertEqual(try s.embeddings(rows: 1..<3), Array(rows(5, 4)[4..<12]))
        XCTAssertEqual(try s.uncertainty(named: "scale").values, [0.5, 1.5, 2.5, 3.5, 4.5])
        XCTAssertEqual(try s.uncertainty(named: "head").values, rows(5, 3, offset: 1000))
        XCTAssertEqual(s.strategies.map(\.name), ["head", "scale"])
        XCTAssertEqual(try s.strategy(named: "scale").mode, .confidence)
        XCTAssertEqual(try s.labels(), [7, 7, 8, 9, 9])
        // float16 nearest to 0.1 is 0.0999755859375 (bit pattern 11878, as numpy gives).
        XCTAssertEqual(try s.bottleneckFeatures(), [Float](repeating: 0.0999755859375, count: 10))
        XCTAssertEqual(s.model, "unit-test")
        XCTAssertEqual(s.preprocessing, "mean_scale")
        XCTAssertThrowsError(try s.uncertainty(named: "nope")) {
            XCTAssertTrue("\($0)".contains("no uncertainty strategy 'nope' (the store has: head, scale)"))
        }
    }

    func testInterruptedWriteResumesFromLastCommit() throws {
        let dir = try scratch()
        let path = dir.appendingPathComponent("s.h5").path
        let paths = (0..<6).map { "img\($0).png" }
        do {
            let w = try EmbeddingStoreWriter.create(at: path, schema: schema, paths: paths)
            let (e, u, b) = batch(0, 2)
            try w.append(embeddings: e, uncertainties: u, bottleneck: b)
            // The writer goes away without finishing, as after a crash.
        }
        let partial = StoreFormat.partialPath(for: path)
        XCTAssertThrowsError(try EmbeddingStore.open(partial)) {
            XCTAssertTrue("\($0)".contains("incomplete store: 2 of 6 rows committed"))
        }
        XCTAssertEqual(try EmbeddingStore.open(partial, allowIncomplete: true).committedRows, 2)

        var other = schema
        other.model = "another"
        XCTAssertThrowsError(try EmbeddingStoreWriter.resume(at: path, schema: other, paths: paths)) {
            XCTAssertTrue("\($0)".contains("different model"))
        }
        XCTAssertThrowsError(try EmbeddingStoreWriter.resume(at: path, schema: schema, paths: paths.reversed()))

        let w = try XCTUnwrap(try EmbeddingStoreWriter.resume(at: path, schema: schema, paths: paths))
        XCTAssertEqual(w.committedRows, 2)
        let (e, u, b) = batch(2, 4)
        try w.append(embeddings: e, uncertainties: u, bottleneck: b)
        try w.finish()
        let s = try EmbeddingStore.open(path)
        XCTAssertEqual(try s.embeddings(), rows(6, 4))
        XCTAssertEqual(try s.uncertainty(named: "scale").values, (0..<6).map { Float($0) + 0.5 })
        XCTAssertNil(try EmbeddingStoreWriter.resume(at: path, schema: schema, paths: paths), "no partial left")
    }

    /// Run settings are root attributes of the partial store; resuming with another value, or
    /// a partial store that records none (written before they were recorded), is refused with
    /// one line naming the setting, and the partial store is left as it was (docs/store.md).
    func testResumeRefusesChangedOrUnrecordedRunSettings() throws {
        let dir = try scratch()
        let path = dir.appendingPathComponent("s.h5").path
        let partial = StoreFormat.partialPath(for: path)
        let paths = (0..<6).map { "img\($0).png" }
        let settings = [RunSetting(key: "run_batch_size", name: "batch size", value: .int(2)),
                        RunSetting(key: "run_image_list_sha256", name: "image list", value: .string(String(repeating: "ab", count: 32)))]
        do {
            let w = try EmbeddingStoreWriter.create(at: path, schema: schema, paths: paths, settings: settings)
            let (e, u, b) = batch(0, 2)
            try w.append(embeddings: e, uncertainties: u, bottleneck: b)
        }
        let attributes = Dictionary(uniqueKeysWithValues: try EmbeddingStore.open(partial, allowIncomplete: true).rootAttributes())
        XCTAssertEqual(attributes["run_batch_size"], "2")
        XCTAssertEqual(attributes["run_image_list_sha256"], String(repeating: "ab", count: 32))
        let before = try Data(contentsOf: URL(fileURLWithPath: partial))

        var changed = settings
        changed[0].value = .int(3)
        XCTAssertThrowsError(try EmbeddingStoreWriter.resume(at: path, schema: schema, paths: paths, settings: changed)) {
            XCTAssertEqual("\($0)", "\(partial): was started with batch size 2, this run uses 3; rerun with the same batch size, or restart to discard the 2 finished rows")
        }
        changed = settings
        changed[1].value = .string(String(repeating: "cd", count: 32))
        XCTAssertThrowsError(try EmbeddingStoreWriter.resume(at: path, schema: schema, paths: paths, settings: changed)) {
            XCTAssertEqual("\($0)", "\(partial): was started with image list abababababab…, this run uses cdcdcdcdcdcd…; rerun with the same image list, or restart to discard the 2 finished rows")
        }
        let unrecorded = settings + [RunSetting(key: "run_threads", name: "thread count", value: .int(1))]
        XCTAssertThrowsError(try EmbeddingStoreWriter.resume(at: path, schema: schema, paths: paths, settings: unrecorded)) {
            XCTAssertEqual("\($0)", "\(partial): was started by an older scaleface that did not record its thread count, so resuming it cannot be checked; restart to discard the 2 finished rows")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: partial)), before, "a refusal leaves the partial store as it was")

        let w = try XCTUnwrap(try EmbeddingStoreWriter.resume(at: path, schema: schema, paths: paths, settings: settings))
        XCTAssertEqual(w.committedRows, 2)
    }

    func testWriterRefusesBadBatchesAndDuplicatePaths() throws {
        let dir = try scratch()
        let path = dir.appendingPathComponent("s.h5").path
        XCTAssertThrowsError(try EmbeddingStoreWriter.create(at: path, schema: schema, paths: ["a", "b", "a"])) {
            XCTAssertTrue("\($0)".contains("duplicate image path 'a' at rows 0 and 2"))
        }
        XCTAssertEqual(TestFiles.list(dir), [])
        let w = try EmbeddingStoreWriter.create(at: path, schema: schema, paths: ["a", "b"])
        XCTAssertThrowsError(try w.append(embeddings: rows(1, 4), uncertainties: ["scale": [1]], bottleneck: [0, 0])) {
            XCTAssertTrue("\($0)".contains("strategy 'head' needs 1 x 3 values"))
        }
        XCTAssertThrowsError(try w.finish()) { XCTAssertTrue("\($0)".contains("only 0 of 2 rows written")) }
        w.abandon()
        XCTAssertEqual(TestFiles.list(dir), [])
    }

    func testRefusesNonStoresNewerVersionsAndDamagedFiles() throws {
        let dir = try scratch()
        let text = dir.appendingPathComponent("text.h5").path
        _ = FileManager.default.createFile(atPath: text, contents: Data(repeating: 65, count: 4096))
        XCTAssertThrowsError(try EmbeddingStore.open(text)) { XCTAssertTrue("\($0)".contains("not an HDF5 file")) }

        let plain = dir.appendingPathComponent("plain.h5").path
        do { _ = try HDF5File.create(plain) }
        XCTAssertThrowsError(try EmbeddingStore.open(plain)) {
            XCTAssertTrue("\($0)".contains("not a scaleface store (root attribute 'format' is missing"))
        }

        let newer = dir.appendingPathComponent("newer.h5").path
        let w = try EmbeddingStoreWriter.create(at: newer, schema: StoreSchema(dimension: 2, model: "", preprocessing: ""),
                                                paths: ["x"])
        try w.append(embeddings: [1, 2])
        try w.finish()
        do { try HDF5File.open(newer, writable: true).root.setAttribute("format_version", int: 99) }
        XCTAssertThrowsError(try EmbeddingStore.open(newer)) {
            XCTAssertTrue("\($0)".contains("format_version 99 is newer than this scaleface reads (1)"))
        }

        let good = dir.appendingPathComponent("good.h5").path
        let g = try EmbeddingStoreWriter.create(at: good, schema: StoreSchema(dimension: 256, model: "", preprocessing: ""),
                                                paths: (0..<200).map(String.init))
        try g.append(embeddings: rows(200, 256))
        try g.finish()
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = dir.appendingPathComponent("truncated.h5").path
        _ = FileManager.default.createFile(atPath: truncated, contents: data.prefix(data.count / 2))
        XCTAssertThrowsError(try EmbeddingStore.open(truncated).embeddings()) {
            XCTAssertTrue("\($0)".hasPrefix(truncated + ": "), "\($0)")
        }
    }
}
