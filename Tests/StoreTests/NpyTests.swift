import XCTest
@testable import Store

final class NpyTests: XCTestCase {
    /// Header bytes of `np.save` for `np.zeros((3, 2), np.float32)`, copied from numpy 2.4.
    let numpyFloatHeader = "\u{93}NUMPY\u{01}\u{00}v\u{00}{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"
        + String(repeating: " ", count: 58) + "\n"
    /// ... and for `np.zeros((5,), np.int64)`.
    let numpyIntHeader = "\u{93}NUMPY\u{01}\u{00}v\u{00}{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }"
        + String(repeating: " ", count: 60) + "\n"

    private func bytes(_ s: String) -> [UInt8] { s.unicodeScalars.map { UInt8($0.value) } }

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testEncodeMatchesNumpyBytes() {
        XCTAssertEqual(NpyHeader.encode(dtype: .float32, shape: [3, 2]), bytes(numpyFloatHeader))
        XCTAssertEqual(NpyHeader.encode(dtype: .int64, shape: [5]), bytes(numpyIntHeader))
    }

    func testParseNumpyHeader() throws {
        let h = try bytes(numpyFloatHeader).withUnsafeBytes { try NpyHeader.parse($0, path: "x.npy") }
        XCTAssertEqual(h, NpyHeader(dtype: .float32, fortranOrder: false, shape: [3, 2], dataOffset: 128))
    }

    func testReadsHalfAndDoubleExactly() throws {
        let dir = try scratch()
        // float16 bit patterns from numpy: 0.1 -> 11878, -2.5 -> 49408, 65504 -> 31743.
        let half: [UInt16] = [11878, 49408, 31743]
        var data = bytes("\u{93}NUMPY\u{01}\u{00}v\u{00}{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }"
                         + String(repeating: " ", count: 60) + "\n")
        for h in half { data += [UInt8(h & 0xFF), UInt8(h >> 8)] }
        let path = dir.appendingPathComponent("h.npy").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(data))
        let (v, shape) = try NpyFile.readFloats(path)
        XCTAssertEqual(shape, [3])
        XCTAssertEqual(v, [0.0999755859375, -2.5, 65504])

        var d = bytes("\u{93}NUMPY\u{01}\u{00}v\u{00}{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }"
                      + String(repeating: " ", count: 58) + "\n")
        for x in [0.5, -3.25] { withUnsafeBytes(of: x.bitPattern.littleEndian) { d += Array($0) } }
        let p2 = dir.appendingPathComponent("d.npy").path
        _ = FileManager.default.createFile(atPath: p2, contents: Data(d))
        let (w, s2) = try NpyFile.readFloats(p2)
        XCTAssertEqual(s2, [1, 2])
        XCTAssertEqual(w, [0.5, -3.25])
    }

    func testWriteThenReadIsBitExact() throws {
        let dir = try scratch()
        let values: [Float] = [0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1.0 / 3.0, -7.5]
        let path = dir.appendingPathComponent("a.npy").path
        try NpyFile.write(values, shape: [2, 3], to: path)
        let (back, shape) = try NpyFile.readFloats(path)
        XCTAssertEqual(shape, [2, 3])
        XCTAssertEqual(back.map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(TestFiles.list(dir), ["a.npy"], "no temporary file remains")
    }

    func testRefusals() throws {
        let dir = try scratch()
        func file(_ name: String, _ header: String, payload: Int) -> String {
            let p = dir.appendingPathComponent(name).path
            var h = header
            h += String(repeating: " ", count: (64 - (10 + h.utf8.count + 1) % 64) % 64) + "\n"
            let data = bytes("\u{93}NUMPY\u{01}\u{00}") + [UInt8(h.utf8.count & 0xFF), UInt8(h.utf8.count >> 8)]
                + Array(h.utf8) + [UInt8](repeating: 0, count: payload)
            _ = FileManager.default.createFile(atPath: p, contents: Data(data))
            return p
        }
        let fortran = file("f.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", payload: 16)
        XCTAssertThrowsError(try NpyFile.readFloats(fortran)) { XCTAssertTrue("\($0)".contains("Fortran-order")) }
        let big = file("b.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", payload: 8)
        XCTAssertThrowsError(try NpyFile.readFloats(big)) { XCTAssertTrue("\($0)".contains("big-endian")) }
        let ints = file("i.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", payload: 8)
        XCTAssertThrowsError(try NpyFile.readFloats(ints)) { XCTAssertTrue("\($0)".contains("unsupported dtype '<i4'")) }
        let complex = file("c.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", payload: 16)
        XCTAssertThrowsError(try NpyFile.readFloats(complex)) { XCTAssertTrue("\($0)".contains("unsupported dtype '<c8'")) }
        let short = file("t.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }", payload: 12)
        XCTAssertThrowsError(try NpyFile.readFloats(short)) { XCTAssertTrue("\($0)".contains("truncated")) }
        let text = dir.appendingPathComponent("x.npy").path
        _ = FileManager.default.createFile(atPath: text, contents: Data("hello world, not numpy".utf8))
        XCTAssertThrowsError(try NpyFile.readFloats(text)) { XCTAssertTrue("\($0)".contains("not a .npy file")) }
        XCTAssertThrowsError(try NpyFile.readFloats(dir.appendingPathComponent("missing.npy").path)) {
            XCTAssertEqual("\($0)", dir.appendingPathComponent("missing.npy").path + ": no such file")
        }
        let floats = file("fl.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", payload: 8)
        XCTAssertThrowsError(try NpyFile.readInt64(floats)) { XCTAssertTrue("\($0)".contains("expected an integer type")) }
    }
}

enum TestFiles {
    static func list(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }
}
