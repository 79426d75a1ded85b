import Foundation
import XCTest
@testable import Store

/// Every bad input of `store import`, `export` and `info` gives one line naming the file and
/// the problem, exit status 1, and leaves no output file behind.
final class StoreCommandErrorTests: XCTestCase {
    private var dir: URL!
    private var before: [String] = []

    override func setUpWithError() throws {
        dir = try TestSupport.scratchDirectory(self)
        let r = try TestSupport.run(try TestSupport.python(),
                                    [TestSupport.repoRoot.appendingPathComponent("Tests/Interop/store_interop.py").path,
                                     "make-bad", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        before = TestSupport.entries(dir)
    }

    private func f(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Runs `scaleface args` and checks the failure contract.
    private func expectFailure(_ args: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try TestSupport.scaleface(args)
        XCTAssertEqual(r.status, 1, "exit status for \(args)", file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line on stderr, got: \(r.stderr)", file: file, line: line)
        XCTAssertEqual(lines.first.map(String.init), "Error: " + message, file: file, line: line)
        XCTAssertEqual(TestSupport.entries(dir), before, "no output left behind", file: file, line: line)
    }

    private func importArgs(embeddings: String = "good.npy", paths: String = "paths.txt", extra: [String] = []) -> [String] {
        ["store", "import", "--out", f("out.h5"), "--paths", f(paths), "--embeddings", f(embeddings)] + extra
    }

    func testMissingFiles() throws {
        try expectFailure(importArgs(embeddings: "absent.npy"), "\(f("absent.npy")): no such file")
        try expectFailure(importArgs(paths: "absent.txt"), "\(f("absent.txt")): no such file")
        try expectFailure(importArgs(extra: ["--uncertainty", "s=\(f("absent.npy"))"]), "\(f("absent.npy")): no such file")
        try expectFailure(importArgs(extra: ["--labels", f("absent.npy")]), "\(f("absent.npy")): no such file")
        try expectFailure(["store", "info", f("absent.h5")], "\(f("absent.h5")): no such file")
        try expectFailure(["store", "export", "--store", f("absent.h5"), "--out", f("exported")], "\(f("absent.h5")): no such file")
    }

    func testUnsupportedArrays() throws {
        try expectFailure(importArgs(embeddings: "int32.npy"),
                          "\(f("int32.npy")): unsupported dtype '<i4' (expected float16, float32 or float64)")
        try expectFailure(importArgs(embeddings: "complex.npy"),
                          "\(f("complex.npy")): unsupported dtype '<c8' (expected float16/32/64 or an integer type)")
        try expectFailure(importArgs(embeddings: "fortran.npy"),
                          "\(f("fortran.npy")): Fortran-order array (expected C order; save with np.ascontiguousarray)")
        try expectFailure(importArgs(embeddings: "rank1.npy"), "\(f("rank1.npy")): array of rank 1 (shape [3]), expected [N, D]")
        try expectFailure(importArgs(embeddings: "rank3.npy"), "\(f("rank3.npy")): array of rank 3 (shape [3, 2, 2]), expected [N, D]")
        try expectFailure(importArgs(extra: ["--uncertainty", "s=\(f("rank3.npy"))"]),
                          "\(f("rank3.npy")): array of rank 3 (shape [3, 2, 2]), expected [N] or [N, k]")
        try expectFailure(importArgs(embeddings: "not_npy.npy"), "\(f("not_npy.npy")): not a .npy file (no \\x93NUMPY magic)")
        try expectFailure(importArgs(extra: ["--labels", f("labels_float.npy")]),
                          "\(f("labels_float.npy")): unsupported dtype '<f8' (expected an integer type)")
    }

    func testCountsThatDisagree() throws {
        try expectFailure(importArgs(embeddings: "four_rows.npy"),
                          "\(f("four_rows.npy")): 4 rows, but \(f("paths.txt")) lists 3 paths")
        try expectFailure(importArgs(extra: ["--uncertainty", "s=\(f("unc_two_rows.npy"))"]),
                          "\(f("unc_two_rows.npy")): 2 rows, expected 3 (one per image)")
    }

    func testDuplicatePaths() throws {
        try expectFailure(importArgs(paths: "dup_paths.txt"), "\(f("dup_paths.txt")):3: duplicate path 'a.png' (first on line 1)")
    }

    func testNonFiniteValuesNameTheFirstBadRow() throws {
        try expectFailure(importArgs(embeddings: "nan_row2.npy"), "\(f("nan_row2.npy")): row 2 contains NaN (expected finite values)")
        try expectFailure(importArgs(embeddings: "inf_row1.npy"), "\(f("inf_row1.npy")): row 1 contains Inf (expected finite values)")
        try expectFailure(importArgs(extra: ["--uncertainty", "s=\(f("unc_nan_row0.npy")):confidence"]),
                          "\(f("unc_nan_row0.npy")): row 0 contains NaN (expected finite values)")
    }

    func testMalformedFeatureText() throws {
        try expectFailure(["store", "import", "--out", f("out.h5"), "--features-txt", f("features.txt")],
                          "\(f("features.txt")):3: 2 feature values, expected 3 as on the first line")
    }

    func testDamagedAndNewerStores() throws {
        // A store made here, then damaged in two ways.
        let good = dir.appendingPathComponent("good.h5").path
        let w = try EmbeddingStoreWriter.create(at: good, schema: StoreSchema(dimension: 128, model: "", preprocessing: ""),
                                                paths: (0..<300).map { "p\($0)" })
        try w.append(embeddings: [Float](repeating: 1, count: 300 * 128))
        try w.finish()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 3).write(to: dir.appendingPathComponent("truncated.h5"))
        try bytes.prefix(100).write(to: dir.appendingPathComponent("stub.h5"))
        do { try HDF5File.open(good, writable: true).root.setAttribute("format_version", int: 2) }
        before = TestSupport.entries(dir)

        try expectFailure(["store", "info", f("good.npy")], "\(f("good.npy")): not an HDF5 file (no HDF5 signature)")
        try expectFailure(["store", "info", f("stub.h5")], "\(f("stub.h5")): HDF5 could not open the file (truncated or damaged)")
        try expectFailure(["store", "info", f("truncated.h5")],
                          "\(f("truncated.h5")): HDF5 could not open the file (truncated or damaged)")
        try expectFailure(["store", "info", f("good.h5")],
                          "\(f("good.h5")): format_version 2 is newer than this scaleface reads (1); upgrade scaleface")
        try expectFailure(["store", "export", "--store", f("truncated.h5"), "--out", f("exported")],
                          "\(f("truncated.h5")): HDF5 could not open the file (truncated or damaged)")
    }
}
