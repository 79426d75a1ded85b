import Foundation
import XCTest
@testable import Backbone

/// The parity fixtures written by tools/parity/make_fixtures.py (PyTorch), see its docstring.
struct Fixtures {
    /// The committed fixtures, or another directory of the same layout (`make parity`).
    var directory = Fixtures.committed

    struct Array: Decodable { let file: String; let shape: [Int] }
    struct Case: Decodable {
        let name: String
        let checkpoint: String
        let feature: Array
        let bottleneck_feature: Array
        let log_sigma_sq: Array?
        let head_kind: String?
        let scale: [String: Array]?
    }
    struct Manifest: Decodable {
        let blocks: [Int]
        let widths: [Int]
        let input_size: Int
        let embedding: Int
        let images: Array
        let coefficient: Float
        let malicious_marker: String
        let cases: [Case]
    }

    static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
    }

    func floats(_ a: Array) throws -> [Float] {
        let data = try Data(contentsOf: directory.appendingPathComponent(a.file))
        XCTAssertEqual(data.count, a.shape.reduce(1, *) * 4, a.file)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    static func config(_ m: Manifest) -> IResNetConfig {
        IResNetConfig(blocks: m.blocks, widths: m.widths, inputSize: m.input_size, embeddingSize: m.embedding)
    }

    /// The fixture images, preprocessed with `mean_scale` into NCHW.
    func input(_ m: Manifest) throws -> (values: [Float], batch: Int) {
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(m.images.file)))
        let n = m.images.shape[0], h = m.images.shape[1], w = m.images.shape[2]
        var x = [Float](repeating: 0, count: n * 3 * h * w)
        bytes.withUnsafeBufferPointer { src in
            x.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    Preprocess.meanScale.planar(rgb: UnsafeBufferPointer(rebasing: src[(i * h * w * 3)..<((i + 1) * h * w * 3)]),
                                                height: h, width: w, into: dst.baseAddress! + i * 3 * h * w)
                }
            }
        }
        return (x, n)
    }
}

/// Asserts `actual` matches `expected` within `1e-4 * max|expected|` everywhere.
func assertParity(_ actual: [Float], _ expected: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): element count", file: file, line: line)
    guard actual.count == expected.count, !expected.isEmpty else { return }
    let scale = expected.map { abs($0) }.max()!
    var worst: Float = 0
    for (a, e) in zip(actual, expected) { worst = max(worst, abs(a - e)) }
    XCTAssertLessThanOrEqual(worst, 1e-4 * scale, "\(what): max error \(worst) vs max|expected| \(scale)", file: file, line: line)
    XCTAssertGreaterThan(scale, 0, "\(what): degenerate expectation", file: file, line: line)
}
